#include "webhook/http/listen_address.h"

#include <gtest/gtest.h>

namespace autobuild::http {
namespace {

TEST(ParseListenAddress, AcceptsIpv4) {
  const auto endpoint = parseListenAddress("0.0.0.0:8080");
  EXPECT_TRUE(endpoint.address().is_v4());
  EXPECT_EQ(endpoint.address().to_string(), "0.0.0.0");
  EXPECT_EQ(endpoint.port(), 8080);
  EXPECT_EQ(parseListenAddress("127.0.0.1:0").port(), 0);
}

TEST(ParseListenAddress, AcceptsBracketedIpv6) {
  const auto any = parseListenAddress("[::]:8443");
  EXPECT_TRUE(any.address().is_v6());
  EXPECT_EQ(any.port(), 8443);
  EXPECT_EQ(parseListenAddress("[::1]:80").address().to_string(), "::1");
}

TEST(ParseListenAddress, AcceptsLocalhostAndAnEmptyHost) {
  EXPECT_EQ(parseListenAddress("localhost:9000").address().to_string(), "127.0.0.1");
  EXPECT_EQ(parseListenAddress(":9000").address().to_string(), "0.0.0.0");
}

TEST(ParseListenAddress, RefusesMalformedAddressesQuotingThem) {
  for (const char* address :
       {"8080", "0.0.0.0", "0.0.0.0:", "0.0.0.0:http", "0.0.0.0:65536", "0.0.0.0:-1", "::1:8080", "[::1:8080",
        "[]:80", "example.com:80", "256.0.0.1:80", "[1.2.3.4]:80"}) {
    try {
      parseListenAddress(address);
      ADD_FAILURE() << address << " was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(address), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace autobuild::http
