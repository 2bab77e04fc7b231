#include "webhook/http/framing.h"

#include <gtest/gtest.h>

namespace autobuild::http {
namespace {

Headers headers(std::initializer_list<std::pair<const char*, const char*>> fields) {
  Headers result;
  result.add("Host", "example.com");
  for (const auto& [name, value] : fields) result.add(name, value);
  return result;
}

TEST(FramingProblem, AcceptsSoundRequests) {
  EXPECT_EQ(framingProblem(headers({}), 11), std::nullopt);
  EXPECT_EQ(framingProblem(headers({{"Content-Length", "42"}}), 11), std::nullopt);
  EXPECT_EQ(framingProblem(headers({{"Content-Length", " 0 "}}), 11), std::nullopt);
  EXPECT_EQ(framingProblem(headers({{"Transfer-Encoding", "chunked"}}), 11), std::nullopt);
  EXPECT_EQ(framingProblem(headers({{"Transfer-Encoding", "Chunked"}}), 11), std::nullopt);
  Headers no_host;
  EXPECT_EQ(framingProblem(no_host, 10), std::nullopt);
}

TEST(FramingProblem, RefusesContentLengthWithTransferEncoding) {
  EXPECT_NE(framingProblem(headers({{"Content-Length", "5"}, {"Transfer-Encoding", "chunked"}}), 11),
            std::nullopt);
  EXPECT_NE(framingProblem(headers({{"Transfer-Encoding", "chunked"}, {"Content-Length", "5"}}), 11),
            std::nullopt);
  EXPECT_NE(framingProblem(headers({{"Transfer-Encoding", "gzip"}, {"Content-Length", "5"}}), 11),
            std::nullopt);
}

TEST(FramingProblem, RefusesDuplicateOrInvalidContentLength) {
  EXPECT_NE(framingProblem(headers({{"Content-Length", "5"}, {"Content-Length", "5"}}), 11), std::nullopt);
  EXPECT_NE(framingProblem(headers({{"Content-Length", "5"}, {"content-length", "6"}}), 11), std::nullopt);
  for (const char* value : {"5, 5", "abc", "-1", "+5", "", "0x10", "5 5", "99999999999999999999"}) {
    EXPECT_NE(framingProblem(headers({{"Content-Length", value}}), 11), std::nullopt) << value;
  }
}

TEST(FramingProblem, RefusesTransferEncodingsOtherThanChunked) {
  for (const char* value : {"gzip", "gzip, chunked", "chunked, gzip", "chunked, chunked", "identity", ""}) {
    EXPECT_NE(framingProblem(headers({{"Transfer-Encoding", value}}), 11), std::nullopt) << value;
  }
  EXPECT_NE(framingProblem(headers({{"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "chunked"}}), 11),
            std::nullopt);
}

TEST(FramingProblem, RefusesTransferEncodingOnHttp10) {
  EXPECT_NE(framingProblem(headers({{"Transfer-Encoding", "chunked"}}), 10), std::nullopt);
}

TEST(FramingProblem, RequiresExactlyOneHostOnHttp11) {
  Headers none;
  EXPECT_EQ(framingProblem(none, 11), "missing Host header");
  EXPECT_EQ(framingProblem(headers({{"Host", "other.example.com"}}), 11), "more than one Host header");
}

}  // namespace
}  // namespace autobuild::http
