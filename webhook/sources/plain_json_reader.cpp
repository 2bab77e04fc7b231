#include "webhook/sources/plain_json_reader.h"

#include <array>
#include <cstdint>
#include <string>

namespace autobuild::webhook {
namespace {

using Json = nlohmann::json;

// More digits than this may not fit in 64 bits: nlohmann::json then reads the number as a float.
constexpr std::size_t kMaxIntegerDigits = 18;

// The bytes that end a run of plain string content: the closing quote, an escape, a control character.
constexpr std::array<bool, 256> kStringRunEnd = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 0x20; ++c) table[c] = true;
  table['"'] = true;
  table['\\'] = true;
  return table;
}();

class Reader {
 public:
  Reader(std::string_view text, int max_depth)
      : p_(text.data()), end_(text.data() + text.size()), max_depth_(max_depth) {}

  bool document(Json& out, const JsonSelection* selection) {
    skipSpace();
    if (p_ == end_ || *p_ != '{') return false;
    if (!object(&out, 1, selection)) return false;
    skipSpace();
    return p_ == end_;
  }

 private:
  void skipSpace() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  // Reads one value into `out`, or only checks it when `out` is nullptr. `selection` (nullptr: all)
  // applies to an object's members, or to those of an array's elements.
  bool value(Json* out, int depth, const JsonSelection* selection) {
    if (p_ == end_) return false;
    switch (*p_) {
      case '{':
        return object(out, depth + 1, selection);
      case '[':
        return array(out, depth + 1, selection);
      case '"': {
        if (out == nullptr) {
          scratch_.clear();
          return string(scratch_);
        }
        std::string text;
        if (!string(text)) return false;
        *out = std::move(text);
        return true;
      }
      case 't':
        return literal("true", out, Json(true));
      case 'f':
        return literal("false", out, Json(false));
      case 'n':
        return literal("null", out, Json(nullptr));
      default:
        return number(out);
    }
  }

  bool object(Json* out, int depth, const JsonSelection* selection) {
    if (depth > max_depth_) return false;
    ++p_;  // '{'
    Json::object_t* members = nullptr;
    if (out != nullptr) {
      *out = Json::object();
      members = &out->get_ref<Json::object_t&>();
    }
    skipSpace();
    if (p_ != end_ && *p_ == '}') {
      ++p_;
      return true;
    }
    for (;;) {
      skipSpace();
      if (p_ == end_ || *p_ != '"') return false;
      std::string key;
      if (!string(key)) return false;
      skipSpace();
      if (p_ == end_ || *p_ != ':') return false;
      ++p_;
      skipSpace();
      Json* member = nullptr;
      const JsonSelection* below = nullptr;
      if (members != nullptr && (selection == nullptr || selection->keeps(key))) {
        if (selection != nullptr) below = selection->below(key);
        // A repeated key keeps its last value, as nlohmann::json's parser does.
        member = &(*members)[std::move(key)];
      }
      if (!value(member, depth, below)) return false;
      skipSpace();
      if (p_ == end_) return false;
      if (*p_ == ',') {
        ++p_;
        continue;
      }
      if (*p_ != '}') return false;
      ++p_;
      return true;
    }
  }

  bool array(Json* out, int depth, const JsonSelection* selection) {
    if (depth > max_depth_) return false;
    ++p_;  // '['
    Json::array_t* elements = nullptr;
    if (out != nullptr) {
      *out = Json::array();
      elements = &out->get_ref<Json::array_t&>();
    }
    skipSpace();
    if (p_ != end_ && *p_ == ']') {
      ++p_;
      return true;
    }
    for (;;) {
      skipSpace();
      if (!value(elements == nullptr ? nullptr : &elements->emplace_back(), depth, selection)) return false;
      skipSpace();
      if (p_ == end_) return false;
      if (*p_ == ',') {
        ++p_;
        continue;
      }
      if (*p_ != ']') return false;
      ++p_;
      return true;
    }
  }

  bool literal(std::string_view word, Json* out, Json value) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) {
      return false;
    }
    p_ += word.size();
    if (out != nullptr) *out = std::move(value);
    return true;
  }

  // Integers only (see the header); what follows is the caller's to check.
  bool number(Json* out) {
    const bool negative = *p_ == '-';
    if (negative) ++p_;
    const char* digits = p_;
    if (p_ == end_ || *p_ < '0' || *p_ > '9') return false;
    if (*p_ == '0') {
      ++p_;
    } else {
      while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    }
    if (p_ != end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E')) return false;
    const auto count = static_cast<std::size_t>(p_ - digits);
    if (count > kMaxIntegerDigits) return false;
    std::uint64_t magnitude = 0;
    for (const char* d = digits; d != p_; ++d)
      magnitude = magnitude * 10 + static_cast<std::uint64_t>(*d - '0');
    if (out == nullptr) return true;
    if (negative) {
      *out = -static_cast<std::int64_t>(magnitude);
    } else {
      *out = magnitude;
    }
    return true;
  }

  // From the opening quote to past the closing one. Runs without escapes are copied whole.
  bool string(std::string& out) {
    ++p_;  // '"'
    for (;;) {
      const char* run = p_;
      while (p_ != end_ && !kStringRunEnd[static_cast<unsigned char>(*p_)]) ++p_;
      out.append(run, p_);
      if (p_ == end_ || static_cast<unsigned char>(*p_) < 0x20) return false;
      if (*p_ == '"') {
        ++p_;
        return true;
      }
      if (!escape(out)) return false;
    }
  }

  bool escape(std::string& out) {
    ++p_;  // '\\'
    if (p_ == end_) return false;
    const char c = *p_++;
    switch (c) {
      case '"':
      case '\\':
      case '/':
        out.push_back(c);
        return true;
      case 'b':
        out.push_back('\b');
        return true;
      case 'f':
        out.push_back('\f');
        return true;
      case 'n':
        out.push_back('\n');
        return true;
      case 'r':
        out.push_back('\r');
        return true;
      case 't':
        out.push_back('\t');
        return true;
      case 'u':
        return unicodeEscape(out);
      default:
        return false;
    }
  }

  bool hex4(std::uint32_t& code) {
    if (end_ - p_ < 4) return false;
    code = 0;
    for (int i = 0; i < 4; ++i, ++p_) {
      const char c = *p_;
      std::uint32_t digit;
      if (c >= '0' && c <= '9') {
        digit = static_cast<std::uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        digit = static_cast<std::uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        digit = static_cast<std::uint32_t>(c - 'A' + 10);
      } else {
        return false;
      }
      code = code << 4 | digit;
    }
    return true;
  }

  // After "\u": one code point, or a surrogate pair as two escapes.
  bool unicodeEscape(std::string& out) {
    std::uint32_t code;
    if (!hex4(code)) return false;
    if (code >= 0xDC00 && code <= 0xDFFF) return false;
    if (code >= 0xD800 && code <= 0xDBFF) {
      std::uint32_t low;
      if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
      p_ += 2;
      if (!hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
      code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
    }
    appendUtf8(out, code);
    return true;
  }

  static void appendUtf8(std::string& out, std::uint32_t code) {
    if (code < 0x80) {
      out.push_back(static_cast<char>(code));
    } else if (code < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (code >> 6)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else if (code < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (code >> 12)));
      out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (code >> 18)));
      out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    }
  }

  const char* p_;
  const char* const end_;
  const int max_depth_;
  std::string scratch_;  // strings that are only checked
};

}  // namespace

std::optional<nlohmann::json> readPlainJsonObject(std::string_view text, int max_depth,
                                                  const JsonSelection* selection) {
  Json out;
  if (!Reader(text, max_depth).document(out, selection)) return std::nullopt;
  return out;
}

}  // namespace autobuild::webhook
