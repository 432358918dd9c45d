using System.Net;
using Drover.Hcloud.Contracts;
using Drover.Hcloud.Tests.Fixtures;
using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.Hcloud.Tests;

/// <summary>What every request shares: authentication, headers, endpoint handling and error mapping.</summary>
public sealed class HcloudClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_request_carries_the_bearer_token_user_agent_and_accept_header()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, "/v1/locations/42")
            .WithHeader("Authorization", $"Bearer {TestClient.Token}")
            .WithHeader("Accept", "application/json")
            .Respond(HttpStatusCode.OK, $$"""{"location": {{ApiFixtures.Location}}}""");
        var client = TestClient.Create(stub, configure: o => o with { UserAgent = "drover-tests/1.0" });

        // Act
        await client.Locations.GetAsync(42, Ct);

        // Assert
        stub.Requests.Single().Header("User-Agent").ShouldBe("drover-tests/1.0");
    }

    [Fact]
    public async Task Request_bodies_are_sent_as_application_json()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Put, "/v1/ssh_keys/42")
            .WithHeader("Content-Type", "application/json")
            .WithJsonBody("""{"name": "renamed"}""")
            .Respond(HttpStatusCode.OK, $$"""{"ssh_key": {{ApiFixtures.SshKey}}}""");
        var client = TestClient.Create(stub);

        // Act
        await client.SshKeys.UpdateAsync(42, new UpdateSshKeyRequest { Name = "renamed" }, Ct);

        // Assert
        stub.VerifyAllCalled();
    }

    [Theory]
    [InlineData("http://127.0.0.1:18081/v1", "/v1/locations/1")]
    [InlineData("http://127.0.0.1:18081/v1/", "/v1/locations/1")]
    [InlineData("http://localhost/api/hcloud/v1", "/api/hcloud/v1/locations/1")]
    public async Task Endpoint_with_or_without_trailing_slash_keeps_its_path(string endpoint, string expectedPath)
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, expectedPath).Respond(HttpStatusCode.OK, $$"""{"location": {{ApiFixtures.Location}}}""");
        var client = TestClient.Create(stub, configure: o => o with { Endpoint = new Uri(endpoint) });

        // Act
        var location = await client.Locations.GetAsync(1, Ct);

        // Assert
        location.ShouldNotBeNull();
    }

    [Fact]
    public async Task Non_success_answer_becomes_HcloudApiException_with_code_message_details_status_and_correlation_id()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Post, "/v1/ssh_keys")
            .Respond(HttpStatusCode.UnprocessableEntity, ApiFixtures.InvalidInputError, h => h.Add("X-Correlation-Id", "corr-1234"));
        var client = TestClient.Create(stub);

        // Act
        var error = await Should.ThrowAsync<HcloudApiException>(() =>
            client.SshKeys.CreateAsync(new CreateSshKeyRequest { Name = "k", PublicKey = "ssh-ed25519 AAAA" }, Ct));

        // Assert
        error.Code.ShouldBe(ErrorCode.InvalidInput);
        error.ApiMessage.ShouldBe("invalid input in field 'broken_field': is too long");
        error.Details!.Fields!.Single().Name.ShouldBe("broken_field");
        error.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        error.CorrelationId.ShouldBe("corr-1234");
        error.Method.ShouldBe("POST");
        error.Path.ShouldBe("/ssh_keys");
        error.Message.ShouldContain("broken_field: is too long");
        error.Message.ShouldContain("corr-1234");
        error.Message.ShouldContain("HTTP 422");
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError, ErrorCode.ServerError)]
    [InlineData(HttpStatusCode.Unauthorized, ErrorCode.Unauthorized)]
    [InlineData(HttpStatusCode.NotImplemented, ErrorCode.UnknownError)]
    [InlineData(HttpStatusCode.BadRequest, ErrorCode.UnknownError)]
    public async Task Non_json_error_gets_a_code_derived_from_the_status(HttpStatusCode status, string code)
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, "/v1/servers?page=1&per_page=50").RespondRaw(status, "<html>oops</html>", "text/html");
        var client = TestClient.Create(stub);

        // Act
        var error = await Should.ThrowAsync<HcloudApiException>(async () => await client.Servers.ListAsync(cancellationToken: Ct).ToListAsync(Ct));

        // Assert
        error.Code.ShouldBe(code);
        error.StatusCode.ShouldBe(status);
        error.Details.ShouldBeNull();
        error.CorrelationId.ShouldBeNull();
        error.ApiMessage.ShouldStartWith($"HTTP {(int)status}");
    }

    [Fact]
    public async Task Json_body_that_is_not_the_error_envelope_still_becomes_HcloudApiException()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, "/v1/images/1").Respond(HttpStatusCode.Forbidden, """{"message": "nope"}""");
        var client = TestClient.Create(stub);

        // Act
        var error = await Should.ThrowAsync<HcloudApiException>(() => client.Images.GetAsync(1, Ct));

        // Assert
        error.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        error.Code.ShouldBe(ErrorCode.UnknownError);
    }

    [Fact]
    public async Task Token_never_appears_in_exception_messages()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, "/v1/servers/1").RespondError(HttpStatusCode.Unauthorized, ErrorCode.Unauthorized, "unable to authenticate");
        stub.Expect(HttpMethod.Get, "/v1/servers/2").RespondRaw(HttpStatusCode.InternalServerError, "boom", "text/plain");
        var client = TestClient.Create(stub);

        // Act
        var unauthorized = await Should.ThrowAsync<HcloudApiException>(() => client.Servers.GetAsync(1, Ct));
        var serverError = await Should.ThrowAsync<HcloudApiException>(() => client.Servers.GetAsync(2, Ct));

        // Assert
        foreach (var error in new[] { unauthorized, serverError })
        {
            error.ToString().ShouldNotContain(TestClient.Token);
            error.Message.ShouldNotContain(TestClient.Token);
        }
        unauthorized.Code.ShouldBe(ErrorCode.Unauthorized);
        stub.Requests.ShouldAllBe(r => r.Header("Authorization") == "Bearer " + TestClient.Token);
    }

    [Fact]
    public void Options_ToString_redacts_the_token()
    {
        // Arrange
        var options = new HcloudClientOptions { Token = TestClient.Token, Endpoint = new Uri("http://127.0.0.1:1234/v1") };

        // Act
        var text = options.ToString();

        // Assert
        text.ShouldNotContain(TestClient.Token);
        text.ShouldContain("redacted");
        text.ShouldContain("http://127.0.0.1:1234/v1");
        $"{options}".ShouldNotContain(TestClient.Token);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void A_blank_token_is_rejected(string token)
    {
        // Arrange
        var options = new HcloudClientOptions { Token = token };

        // Act / Assert
        Should.Throw<ArgumentException>(() => HcloudClient.Create(options, new StubHttpHandler()));
    }

    [Fact]
    public async Task Rate_limit_headers_of_the_last_response_are_exposed()
    {
        // Arrange
        var reset = new DateTimeOffset(2026, 1, 1, 1, 0, 0, TimeSpan.Zero);
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, "/v1/locations/42").Respond(HttpStatusCode.OK, $$"""{"location": {{ApiFixtures.Location}}}""", h =>
        {
            h.Add("RateLimit-Limit", "3600");
            h.Add("RateLimit-Remaining", "3599");
            h.Add("RateLimit-Reset", reset.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        });
        var client = TestClient.Create(stub);

        // Act
        await client.Locations.GetAsync(42, Ct);

        // Assert
        client.RateLimit.ShouldBe(new RateLimitInfo(3600, 3599, reset));
        client.RequestCount.ShouldBe(1);
    }

    [Fact]
    public async Task Empty_success_body_where_one_is_required_is_a_JsonException()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, "/v1/locations/42").Respond(HttpStatusCode.OK, "null");
        var client = TestClient.Create(stub);

        // Act / Assert
        await Should.ThrowAsync<System.Text.Json.JsonException>(() => client.Locations.GetAsync(42, Ct));
    }
}
