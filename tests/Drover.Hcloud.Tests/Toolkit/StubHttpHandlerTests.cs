using System.Net;
using System.Text;
using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.Hcloud.Tests.Toolkit;

/// <summary>
/// The shared <see cref="StubHttpHandler"/> itself (it lives in Drover.Testing, which has no test project of its own).
/// Mismatches are caught with xunit's <c>Assert.Throws</c>: Shouldly rethrows its own assertion exceptions, which
/// <see cref="StubMismatchException"/> is one of, so that a mismatch inside a <c>Should.Throw</c> still fails the test.
/// </summary>
public sealed class StubHttpHandlerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Answers_expected_requests_in_order_with_canned_responses()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, "/v1/a?x=1").Respond(HttpStatusCode.OK, """{"n": 1}""", h => h.Add("X-Correlation-Id", "c1"))
            .Expect(HttpMethod.Delete, "/v1/b").Respond(HttpStatusCode.NoContent, null);
        using var http = new HttpClient(stub, disposeHandler: false) { BaseAddress = new Uri("http://stub.test") };

        // Act
        using var first = await http.GetAsync(new Uri("/v1/a?x=1", UriKind.Relative), Ct);
        using var second = await http.DeleteAsync(new Uri("/v1/b", UriKind.Relative), Ct);

        // Assert
        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        first.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        (await first.Content.ReadAsStringAsync(Ct)).ShouldBe("""{"n": 1}""");
        first.Headers.GetValues("X-Correlation-Id").ShouldBe(["c1"]);
        second.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        second.Content.Headers.ContentType.ShouldBeNull();
        (await second.Content.ReadAsByteArrayAsync(Ct)).ShouldBeEmpty();
        stub.Requests.Select(r => r.ToString()).ShouldBe(["GET /v1/a?x=1", "DELETE /v1/b"]);
        stub.VerifyAllCalled();
    }

    [Fact]
    public async Task Wrong_path_fails_with_a_message_naming_both_requests()
    {
        // Arrange
        var stub = new StubHttpHandler(); // not disposed: this test provokes a mismatch on purpose
        stub.Expect(HttpMethod.Get, "/v1/servers?page=1&per_page=50").Respond(HttpStatusCode.OK, "{}");
        using var http = new HttpClient(stub, disposeHandler: false);

        // Act
        var error = await Assert.ThrowsAsync<StubMismatchException>(() => http.GetAsync(new Uri("http://stub.test/v1/servers?page=2&per_page=50"), Ct));

        // Assert
        error.Message.ShouldContain("unexpected request #1: GET /v1/servers?page=2&per_page=50");
        error.Message.ShouldContain("expected #1: GET /v1/servers?page=1&per_page=50");
        Assert.Throws<StubMismatchException>(stub.VerifyAllCalled).Message.ShouldContain("unexpected request #1");
    }

    [Fact]
    public async Task Wrong_method_fails()
    {
        // Arrange
        var stub = new StubHttpHandler(); // not disposed: this test provokes a mismatch on purpose
        stub.Expect(HttpMethod.Get, "/v1/x").Respond(HttpStatusCode.OK, "{}");
        using var http = new HttpClient(stub, disposeHandler: false);

        // Act
        var error = await Assert.ThrowsAsync<StubMismatchException>(() => http.PostAsync(new Uri("http://stub.test/v1/x"), null, Ct));

        // Assert
        error.Message.ShouldContain("POST /v1/x");
    }

    [Fact]
    public async Task A_request_beyond_the_list_fails()
    {
        // Arrange
        var stub = new StubHttpHandler(); // not disposed: this test provokes a mismatch on purpose
        stub.Expect(HttpMethod.Get, "/v1/x").Respond(HttpStatusCode.OK, "{}");
        using var http = new HttpClient(stub, disposeHandler: false);
        using var first = await http.GetAsync(new Uri("http://stub.test/v1/x"), Ct);

        // Act
        var error = await Assert.ThrowsAsync<StubMismatchException>(() => http.GetAsync(new Uri("http://stub.test/v1/x"), Ct));

        // Assert
        error.Message.ShouldContain("unexpected request #2");
        error.Message.ShouldContain("already made");
    }

    [Fact]
    public async Task A_mismatch_is_not_mistaken_for_the_exception_a_test_expects()
    {
        // Arrange
        var stub = new StubHttpHandler(); // not disposed: this test provokes a mismatch on purpose
        using var http = new HttpClient(stub, disposeHandler: false);

        // Act
        var error = await Assert.ThrowsAsync<StubMismatchException>(() =>
            Should.ThrowAsync<Exception>(() => http.GetAsync(new Uri("http://stub.test/v1/x"), Ct)));

        // Assert
        error.Message.ShouldContain("unexpected request #1: GET /v1/x");
    }

    [Fact]
    public void A_missing_request_fails_verification_and_dispose()
    {
        // Arrange
        var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, "/v1/never").Respond(HttpStatusCode.OK, "{}");

        // Act
        var verify = Assert.Throws<StubMismatchException>(stub.VerifyAllCalled);
        var dispose = Assert.Throws<StubMismatchException>(stub.Dispose);

        // Assert
        verify.Message.ShouldContain("#1 GET /v1/never");
        dispose.Message.ShouldContain("were not made");
        Should.NotThrow(stub.Dispose);
    }

    [Fact]
    public async Task Json_body_compares_semantically()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Post, "/v1/x").WithJsonBody("""{"a": 1, "b": [true, null], "c": {"d": "e"}}""").Respond(HttpStatusCode.Created, "{}");
        using var http = new HttpClient(stub, disposeHandler: false);
        using var body = new StringContent("""{"c":{"d":"e"},"b":[true,null],"a":1.0}""", Encoding.UTF8, "application/json");

        // Act
        using var response = await http.PostAsync(new Uri("http://stub.test/v1/x"), body, Ct);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.Created);
    }

    [Theory]
    [InlineData("""{"a": 2}""", "$.a: expected 1, got 2")]
    [InlineData("""{"a": 1, "b": 2}""", "$.b: unexpected property")]
    [InlineData("""{}""", "$.a: missing")]
    [InlineData("""{"a": "1"}""", "$.a: expected 1, got \"1\"")]
    [InlineData("""[1]""", "$: expected {\"a\":1}, got [1]")]
    [InlineData("not json", "not JSON")]
    [InlineData("", "expected a JSON body")]
    public async Task Json_body_mismatch_names_the_first_difference(string actual, string message)
    {
        // Arrange
        var stub = new StubHttpHandler(); // not disposed: this test provokes a mismatch on purpose
        stub.Expect(HttpMethod.Post, "/v1/x").WithJsonBody("""{"a": 1}""").Respond(HttpStatusCode.Created, "{}");
        using var http = new HttpClient(stub, disposeHandler: false);
        using var body = new StringContent(actual);

        // Act
        var error = await Assert.ThrowsAsync<StubMismatchException>(() => http.PostAsync(new Uri("http://stub.test/v1/x"), body, Ct));

        // Assert
        error.Message.ShouldContain(message);
        error.Message.ShouldContain("request #1 (POST /v1/x) failed its check");
    }

    [Fact]
    public async Task Body_and_header_checks_run_on_the_request()
    {
        // Arrange
        var stub = new StubHttpHandler(); // not disposed: this test provokes a mismatch on purpose
        stub.Expect(HttpMethod.Put, "/v1/x")
            .WithBody(b => b.ShouldStartWith("plain"))
            .WithHeader("X-Test", "yes")
            .Respond(HttpStatusCode.OK, null);
        stub.Expect(HttpMethod.Put, "/v1/x").WithHeader("X-Test", "yes").Respond(HttpStatusCode.OK, null);
        using var http = new HttpClient(stub, disposeHandler: false);
        using var ok = new HttpRequestMessage(HttpMethod.Put, "http://stub.test/v1/x") { Content = new StringContent("plain text"), Headers = { { "X-Test", "yes" } } };
        using var missingHeader = new HttpRequestMessage(HttpMethod.Put, "http://stub.test/v1/x");

        // Act
        using var response = await http.SendAsync(ok, Ct);
        var error = await Assert.ThrowsAsync<StubMismatchException>(() => http.SendAsync(missingHeader, Ct));

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        error.Message.ShouldContain("header 'X-Test' was not sent");
    }

    [Fact]
    public async Task Error_and_raw_responses_set_their_content_type()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, "/e").RespondError(HttpStatusCode.Conflict, "conflict", "say \"again\"");
        stub.Expect(HttpMethod.Get, "/r").RespondRaw(HttpStatusCode.BadGateway, "<html/>", "text/html");
        using var http = new HttpClient(stub, disposeHandler: false);

        // Act
        using var error = await http.GetAsync(new Uri("http://stub.test/e"), Ct);
        using var raw = await http.GetAsync(new Uri("http://stub.test/r"), Ct);

        // Assert
        var envelope = System.Text.Json.Nodes.JsonNode.Parse(await error.Content.ReadAsStringAsync(Ct))!["error"]!;
        envelope["code"]!.GetValue<string>().ShouldBe("conflict");
        envelope["message"]!.GetValue<string>().ShouldBe("say \"again\"");
        envelope["details"]!.AsObject().ShouldBeEmpty();
        error.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        raw.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
    }

    [Fact]
    public async Task Throw_fails_the_request_with_the_exception()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, "/t").Throw(new HttpRequestException("connection reset"));
        using var http = new HttpClient(stub, disposeHandler: false);

        // Act
        var error = await Should.ThrowAsync<HttpRequestException>(() => http.GetAsync(new Uri("http://stub.test/t"), Ct));

        // Assert
        error.Message.ShouldBe("connection reset");
    }

    [Fact]
    public async Task An_expectation_without_a_response_fails_clearly()
    {
        // Arrange
        var stub = new StubHttpHandler(); // not disposed: this test provokes a mismatch on purpose
        stub.Expect(HttpMethod.Get, "/n");
        using var http = new HttpClient(stub, disposeHandler: false);

        // Act
        var error = await Assert.ThrowsAsync<StubMismatchException>(() => http.GetAsync(new Uri("http://stub.test/n"), Ct));

        // Assert
        error.Message.ShouldContain("has no response");
        Assert.Throws<StubMismatchException>(stub.VerifyAllCalled);
    }

    [Fact]
    public void Expect_requires_a_path_relative_to_the_host()
    {
        // Arrange
        using var stub = new StubHttpHandler();

        // Act / Assert
        Should.Throw<ArgumentException>(() => stub.Expect(HttpMethod.Get, "v1/servers"));
    }
}
