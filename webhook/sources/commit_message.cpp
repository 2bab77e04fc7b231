#include "webhook/sources/commit_message.h"

#include "webhook/sources/utf8.h"

namespace autobuild::webhook {

std::string sanitizeMessage(std::string_view message) {
  std::string line = toValidUtf8(message.substr(0, message.find('\n')));
  if (!line.empty() && line.back() == '\r') line.pop_back();
  std::size_t characters = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const bool starts_character = (static_cast<unsigned char>(line[i]) & 0xC0) != 0x80;
    if (starts_character && ++characters > kMaxMessageCharacters) {
      line.resize(i);
      break;
    }
  }
  return line;
}

}  // namespace autobuild::webhook
