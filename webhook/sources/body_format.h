// The body encodings the webhook reads, from the request's Content-Type.
#pragma once

#include <optional>
#include <string_view>

namespace autobuild::webhook {

enum class BodyFormat {
  Json,  // application/json
  Form,  // application/x-www-form-urlencoded with the JSON in the `payload` field (GitHub, Gogs, Gitea)
};

// The format named by a Content-Type value (media type matched case-insensitively, parameters such as
// charset ignored); nullopt for any other or an empty value.
std::optional<BodyFormat> bodyFormatOf(std::string_view content_type);

}  // namespace autobuild::webhook
