#include "webhook/http/message.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace autobuild::http {
namespace {

TEST(Headers, FindsNamesCaseInsensitivelyAndKeepsRepeats) {
  Headers headers;
  headers.add("X-Hub-Signature-256", "sha256=aa");
  headers.add("x-hub-signature-256", "sha256=bb");
  headers.add("Content-Type", "application/json");

  ASSERT_NE(headers.find("X-HUB-SIGNATURE-256"), nullptr);
  EXPECT_EQ(*headers.find("X-HUB-SIGNATURE-256"), "sha256=aa");
  EXPECT_EQ(headers.count("X-Hub-Signature-256"), 2u);
  EXPECT_EQ(headers.find("X-Gitlab-Token"), nullptr);
  EXPECT_EQ(headers.count("X-Gitlab-Token"), 0u);
  EXPECT_EQ(headers.size(), 3u);
}

TEST(RejectionResponse, HasTheSpecShape) {
  const Response response = rejectionResponse(413, "PayloadTooLarge", "request body exceeds 10 bytes");
  EXPECT_EQ(response.status, 413);
  EXPECT_EQ(response.content_type, "application/json");
  const auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body, (nlohmann::json{{"result", "Rejected"},
                                  {"reason", "PayloadTooLarge"},
                                  {"message", "request body exceeds 10 bytes"}}));
}

TEST(RejectionResponse, ReplacesInvalidUtf8InsteadOfThrowing) {
  const Response response = rejectionResponse(400, "BadRequest", "bad \xff byte");
  const auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["message"], "bad \xEF\xBF\xBD byte");
}

TEST(ResponseProblem, AcceptsAnOrdinaryResponse) {
  Response response;
  response.status = 202;
  response.headers.add("Retry-After", "1");
  response.headers.add("X-Request-Id", "abc\tdef");
  response.body = "{}";
  EXPECT_EQ(responseProblem(response), std::nullopt);
}

TEST(ResponseProblem, RefusesStatusesThatAreNotFinal) {
  Response response;
  response.status = 101;
  EXPECT_NE(responseProblem(response), std::nullopt);
  response.status = 600;
  EXPECT_NE(responseProblem(response), std::nullopt);
}

TEST(ResponseProblem, RefusesABodyOnNoContent) {
  Response response;
  response.status = 204;
  response.body = "x";
  EXPECT_NE(responseProblem(response), std::nullopt);
  response.body.clear();
  EXPECT_EQ(responseProblem(response), std::nullopt);
}

TEST(ResponseProblem, RefusesFieldsTheServerOwns) {
  for (const char* name : {"Content-Length", "transfer-encoding", "Connection", "Keep-Alive", "Upgrade",
                           "Trailer", "Content-Type"}) {
    Response response;
    response.headers.add(name, "1");
    const auto problem = responseProblem(response);
    ASSERT_NE(problem, std::nullopt) << name;
    EXPECT_NE(problem->find(name), std::string::npos) << *problem;
  }
}

TEST(ResponseProblem, RefusesADeferralToTheWorkerPool) {
  Response response;
  response.defer_to_worker_pool = true;
  const auto problem = responseProblem(response);
  ASSERT_NE(problem, std::nullopt);
  EXPECT_NE(problem->find("IoThreadFirst"), std::string::npos) << *problem;
}

TEST(ResponseProblem, RefusesHeaderInjection) {
  Response value_injection;
  value_injection.headers.add("X-Note", "a\r\nSet-Cookie: x=1");
  EXPECT_NE(responseProblem(value_injection), std::nullopt);

  Response bad_name;
  bad_name.headers.add("X Note", "a");
  EXPECT_NE(responseProblem(bad_name), std::nullopt);

  Response empty_name;
  empty_name.headers.add("", "a");
  EXPECT_NE(responseProblem(empty_name), std::nullopt);

  Response content_type;
  content_type.content_type = "text/plain\r\nX-Injected: 1";
  EXPECT_NE(responseProblem(content_type), std::nullopt);
}

}  // namespace
}  // namespace autobuild::http
