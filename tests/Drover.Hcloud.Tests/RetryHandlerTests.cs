using System.Globalization;
using System.Net;
using Drover.Hcloud.Contracts;
using Drover.Hcloud.Tests.Fixtures;
using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.Hcloud.Tests;

/// <summary>The retry handler in the chain built by <see cref="HcloudClient.Create"/>.</summary>
public sealed class RetryHandlerTests
{
    private const string Path = "/v1/servers/42";
    private const string ServerBody = $$"""{"server": {{ApiFixtures.Server}}}""";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Conflict_is_retried_after_a_backoff_and_then_succeeds()
    {
        // Arrange
        var time = new ManualTimeProvider();
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, Path).RespondError(HttpStatusCode.Conflict, ErrorCode.Conflict, "resource changed during request");
        stub.Expect(HttpMethod.Get, Path).Respond(HttpStatusCode.OK, ServerBody);
        var client = TestClient.Create(stub, time);

        // Act
        var server = await client.Servers.GetAsync(42, Ct);

        // Assert
        server!.Id.ShouldBe(42);
        time.Delays.ShouldBe([TimeSpan.FromSeconds(1)]);
        client.RequestCount.ShouldBe(1);
    }

    [Fact]
    public async Task Retried_request_resends_the_same_body()
    {
        // Arrange
        const string body = """{"name": "renamed"}""";
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Put, Path).WithJsonBody(body).RespondError(HttpStatusCode.Conflict, ErrorCode.Conflict, "changed");
        stub.Expect(HttpMethod.Put, Path).WithJsonBody(body).Respond(HttpStatusCode.OK, ServerBody);
        var client = TestClient.Create(stub);

        // Act
        await client.Servers.UpdateAsync(42, new UpdateServerRequest { Name = "renamed" }, Ct);

        // Assert
        stub.VerifyAllCalled();
    }

    [Fact]
    public async Task Rate_limit_is_retried_and_the_wait_is_bounded_by_the_reset_time()
    {
        // Arrange
        var time = new ManualTimeProvider();
        var reset = time.GetUtcNow().AddSeconds(2);
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, Path).RespondError(HttpStatusCode.TooManyRequests, ErrorCode.RateLimitExceeded, "limit of 3600 requests per hour reached", headers: h =>
        {
            h.Add("RateLimit-Limit", "3600");
            h.Add("RateLimit-Remaining", "0");
            h.Add("RateLimit-Reset", reset.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        });
        stub.Expect(HttpMethod.Get, Path).Respond(HttpStatusCode.OK, ServerBody);
        var client = TestClient.Create(stub, time, o => o with { RetryDelay = TimeSpan.FromSeconds(30) });

        // Act
        var server = await client.Servers.GetAsync(42, Ct);

        // Assert
        server.ShouldNotBeNull();
        time.TotalDelayed.ShouldBeGreaterThan(TimeSpan.Zero);
        time.TotalDelayed.ShouldBeLessThanOrEqualTo(TimeSpan.FromSeconds(2));
        time.GetUtcNow().ShouldBeLessThanOrEqualTo(reset);
    }

    [Fact]
    public async Task Rate_limit_wait_is_capped_by_RetryDelayMax_when_the_reset_is_far_away()
    {
        // Arrange
        var time = new ManualTimeProvider();
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, Path).RespondError(HttpStatusCode.TooManyRequests, ErrorCode.RateLimitExceeded, "slow down", headers: h =>
        {
            h.Add("RateLimit-Limit", "10");
            h.Add("RateLimit-Remaining", "0");
            h.Add("RateLimit-Reset", time.GetUtcNow().AddHours(1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        });
        stub.Expect(HttpMethod.Get, Path).Respond(HttpStatusCode.OK, ServerBody);
        var client = TestClient.Create(stub, time, o => o with { RetryDelayMax = TimeSpan.FromSeconds(20) });

        // Act
        await client.Servers.GetAsync(42, Ct);

        // Assert
        time.Delays.ShouldBe([TimeSpan.FromSeconds(20)]);
    }

    [Fact]
    public async Task Rate_limit_without_headers_falls_back_to_the_backoff()
    {
        // Arrange
        var time = new ManualTimeProvider();
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, Path).RespondError(HttpStatusCode.TooManyRequests, ErrorCode.RateLimitExceeded, "slow down");
        stub.Expect(HttpMethod.Get, Path).Respond(HttpStatusCode.OK, ServerBody);
        var client = TestClient.Create(stub, time);

        // Act
        await client.Servers.GetAsync(42, Ct);

        // Assert
        time.Delays.ShouldBe([TimeSpan.FromSeconds(1)]);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.GatewayTimeout)]
    public async Task Gateway_errors_are_retried(HttpStatusCode status)
    {
        // Arrange
        var time = new ManualTimeProvider();
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, Path).RespondRaw(status, "<html>bad gateway</html>", "text/html");
        stub.Expect(HttpMethod.Get, Path).RespondError(status, ErrorCode.Timeout, "upstream timed out");
        stub.Expect(HttpMethod.Get, Path).Respond(HttpStatusCode.OK, ServerBody);
        var client = TestClient.Create(stub, time);

        // Act
        var server = await client.Servers.GetAsync(42, Ct);

        // Assert
        server.ShouldNotBeNull();
        time.Delays.ShouldBe([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)]);
    }

    [Fact]
    public async Task A_timeout_of_the_inner_handler_is_retried()
    {
        // Arrange
        var time = new ManualTimeProvider();
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, Path).Throw(new TaskCanceledException("the request timed out"));
        stub.Expect(HttpMethod.Get, Path).Throw(new HttpRequestException("connect timed out", new TimeoutException()));
        stub.Expect(HttpMethod.Get, Path).Respond(HttpStatusCode.OK, ServerBody);
        var client = TestClient.Create(stub, time);

        // Act
        var server = await client.Servers.GetAsync(42, Ct);

        // Assert
        server.ShouldNotBeNull();
        time.Delays.Count.ShouldBe(2);
    }

    [Fact]
    public async Task Other_network_errors_are_not_retried()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, Path).Throw(new HttpRequestException("connection refused"));
        var client = TestClient.Create(stub);

        // Act / Assert
        var error = await Should.ThrowAsync<HttpRequestException>(() => client.Servers.GetAsync(42, Ct));
        error.Message.ShouldBe("connection refused");
    }

    [Fact]
    public async Task Uniqueness_error_is_not_retried()
    {
        // Arrange
        var time = new ManualTimeProvider();
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Post, "/v1/ssh_keys").RespondError(HttpStatusCode.Conflict, ErrorCode.UniquenessError,
            "SSH key with the same fingerprint already exists", """{"fields": [{"name": "public_key"}]}""");
        var client = TestClient.Create(stub, time);

        // Act
        var error = await Should.ThrowAsync<HcloudApiException>(() =>
            client.SshKeys.CreateAsync(new CreateSshKeyRequest { Name = "k", PublicKey = "ssh-ed25519 AAAA" }, Ct));

        // Assert
        error.Code.ShouldBe(ErrorCode.UniquenessError);
        error.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        error.Details!.Fields!.Single().Name.ShouldBe("public_key");
        time.TotalDelayed.ShouldBe(TimeSpan.Zero);
    }

    [Theory]
    [InlineData(HttpStatusCode.NotFound, ErrorCode.NotFound)]
    [InlineData(HttpStatusCode.Locked, ErrorCode.Locked)]
    [InlineData(HttpStatusCode.UnprocessableEntity, ErrorCode.InvalidInput)]
    [InlineData(HttpStatusCode.InternalServerError, ErrorCode.ServerError)]
    public async Task Other_errors_are_not_retried(HttpStatusCode status, string code)
    {
        // Arrange
        var time = new ManualTimeProvider();
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Post, "/v1/servers/42/actions/poweron").RespondError(status, code, "no");
        var client = TestClient.Create(stub, time);

        // Act
        var error = await Should.ThrowAsync<HcloudApiException>(() => client.Servers.PowerOnAsync(42, Ct));

        // Assert
        error.Code.ShouldBe(code);
        time.TotalDelayed.ShouldBe(TimeSpan.Zero);
    }

    [Fact]
    public async Task Retries_stop_after_MaxRetries_and_surface_the_last_error()
    {
        // Arrange
        var time = new ManualTimeProvider();
        using var stub = new StubHttpHandler();
        for (var i = 0; i < 3; i++)
        {
            stub.Expect(HttpMethod.Get, Path).RespondError(HttpStatusCode.Conflict, ErrorCode.Conflict, $"conflict {i + 1}",
                headers: h => h.Add("X-Correlation-Id", "corr-last"));
        }
        var client = TestClient.Create(stub, time, o => o with { MaxRetries = 2 });

        // Act
        var error = await Should.ThrowAsync<HcloudApiException>(() => client.Servers.GetAsync(42, Ct));

        // Assert
        error.Code.ShouldBe(ErrorCode.Conflict);
        error.ApiMessage.ShouldBe("conflict 3");
        error.CorrelationId.ShouldBe("corr-last");
        stub.Requests.Count.ShouldBe(3);
        time.Delays.ShouldBe([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)]);
    }

    [Fact]
    public async Task Backoff_doubles_up_to_RetryDelayMax()
    {
        // Arrange
        var time = new ManualTimeProvider();
        using var stub = new StubHttpHandler();
        for (var i = 0; i < 5; i++)
        {
            stub.Expect(HttpMethod.Get, Path).RespondRaw(HttpStatusCode.BadGateway, "", "text/plain");
        }
        stub.Expect(HttpMethod.Get, Path).Respond(HttpStatusCode.OK, ServerBody);
        var client = TestClient.Create(stub, time, o => o with { RetryDelay = TimeSpan.FromSeconds(1), RetryDelayMax = TimeSpan.FromSeconds(5) });

        // Act
        await client.Servers.GetAsync(42, Ct);

        // Assert
        time.Delays.Select(d => d.TotalSeconds).ShouldBe([1.0, 2.0, 4.0, 5.0, 5.0]);
    }

    [Fact]
    public async Task Cancellation_stops_the_retries()
    {
        // Arrange
        var time = new ManualTimeProvider();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, Path).RespondError(HttpStatusCode.Conflict, ErrorCode.Conflict, "changed", headers: _ => cts.Cancel());
        var client = TestClient.Create(stub, time);

        // Act
        var call = client.Servers.GetAsync(42, cts.Token);

        // Assert
        await Should.ThrowAsync<OperationCanceledException>(() => call);
        stub.Requests.Count.ShouldBe(1);
        time.TotalDelayed.ShouldBe(TimeSpan.Zero);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.GatewayTimeout)]
    public async Task A_post_is_not_retried_on_a_gateway_error_because_it_may_have_been_carried_out(HttpStatusCode status)
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Post, "/v1/servers/42/actions/create_image").RespondRaw(status, "upstream trouble", "text/plain");
        var client = TestClient.Create(stub);

        // Act
        var error = await Should.ThrowAsync<HcloudApiException>(() => client.Servers.CreateImageAsync(42, new CreateImageRequest { Description = "once" }, Ct));

        // Assert
        error.StatusCode.ShouldBe(status);
        stub.VerifyAllCalled();
    }

    [Fact]
    public async Task A_post_is_retried_on_conflict_because_the_api_refused_it_before_acting()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Post, "/v1/servers/42/actions/poweron").RespondError(HttpStatusCode.Conflict, ErrorCode.Conflict, "changed");
        stub.Expect(HttpMethod.Post, "/v1/servers/42/actions/poweron").Respond(HttpStatusCode.Created, $$"""{"action": {{ApiFixtures.ActionWith(7, "running")}}}""");
        var client = TestClient.Create(stub);

        // Act
        await client.Servers.PowerOnAsync(42, Ct);

        // Assert
        stub.VerifyAllCalled();
    }

    [Fact]
    public async Task The_rate_limit_wait_is_one_refill_interval_computed_from_the_headers()
    {
        // Arrange: 10 requests missing, full again in 10 s -> one request back every second.
        var time = new ManualTimeProvider();
        var reset = time.GetUtcNow().AddSeconds(10);
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, Path).RespondError(HttpStatusCode.TooManyRequests, ErrorCode.RateLimitExceeded, "limit reached", headers: h =>
        {
            h.Add("RateLimit-Limit", "10");
            h.Add("RateLimit-Remaining", "0");
            h.Add("RateLimit-Reset", reset.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        });
        stub.Expect(HttpMethod.Get, Path).Respond(HttpStatusCode.OK, ServerBody);
        var client = TestClient.Create(stub, time);

        // Act
        await client.Servers.GetAsync(42, Ct);

        // Assert
        time.Delays.ShouldBe([TimeSpan.FromSeconds(1)]);
    }
}
