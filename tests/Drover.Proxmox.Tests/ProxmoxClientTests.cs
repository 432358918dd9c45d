using System.Net;
using Drover.Proxmox.Contracts;
using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.Proxmox.Tests;

/// <summary>Auth, request encoding and error shapes of every call, through the stub.</summary>
public sealed class ProxmoxClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string VersionData = """{"version":"9.1.3","release":"9.1","repoid":"0123abcd"}""";

    [Fact]
    public async Task Api_token_is_sent_as_the_PVEAPIToken_header_without_a_CSRF_token()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, $"{TestClient.Api}/version")
            .WithHeader("Authorization", $"PVEAPIToken={TestClient.TokenId}={TestClient.Secret}")
            .RespondData(VersionData);
        stub.Expect(HttpMethod.Post, $"{TestClient.Api}/nodes/pve/qemu/101/status/start").RespondData($"\"{Fixtures.StartUpid}\"");
        var client = TestClient.Create(stub);

        // Act
        var version = await client.Cluster.GetVersionAsync(Ct);
        await client.Qemu.StartAsync("pve", 101, cancellationToken: Ct);

        // Assert
        version.Release.ShouldBe("9.1");
        stub.Requests.ShouldAllBe(r => r.Header("CSRFPreventionToken") == null && r.Header("Cookie") == null);
    }

    [Fact]
    public async Task Ticket_auth_logs_in_once_then_sends_the_cookie_and_CSRF_only_on_non_GET()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Post, $"{TestClient.Api}/access/ticket")
            .WithBody(b => b.ShouldBe($"username=root%40pam&password={TestClient.Password}"))
            .RespondData("""{"username":"root@pam","ticket":"PVE:root@pam:6763F1A0::c2ln+/=","CSRFPreventionToken":"6763F1A0:csrf"}""");
        stub.Expect(HttpMethod.Get, $"{TestClient.Api}/version").RespondData(VersionData);
        stub.Expect(HttpMethod.Post, $"{TestClient.Api}/nodes/pve/qemu/101/status/start").RespondData($"\"{Fixtures.StartUpid}\"");
        var client = TestClient.Create(stub, configure: o => o with
        {
            ApiToken = null,
            Ticket = new ProxmoxTicketCredentials { Username = "root@pam", Password = TestClient.Password },
        });

        // Act
        await client.Cluster.GetVersionAsync(Ct);
        await client.Qemu.StartAsync("pve", 101, cancellationToken: Ct);

        // Assert
        var (login, get, post) = (stub.Requests[0], stub.Requests[1], stub.Requests[2]);
        login.Header("Cookie").ShouldBeNull();
        login.Header("Content-Type").ShouldBe("application/x-www-form-urlencoded");
        get.Header("Cookie").ShouldBe("PVEAuthCookie=PVE:root@pam:6763F1A0::c2ln+/=");
        get.Header("CSRFPreventionToken").ShouldBeNull();
        get.Header("Authorization").ShouldBeNull();
        post.Header("Cookie").ShouldBe("PVEAuthCookie=PVE:root@pam:6763F1A0::c2ln+/=");
        post.Header("CSRFPreventionToken").ShouldBe("6763F1A0:csrf");
    }

    [Fact]
    public async Task An_expired_ticket_is_renewed_once_and_the_call_resent()
    {
        // Arrange
        const string ticket = """{"username":"root@pam","ticket":"t1","CSRFPreventionToken":"c1"}""";
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Post, $"{TestClient.Api}/access/ticket").RespondData(ticket);
        stub.Expect(HttpMethod.Get, $"{TestClient.Api}/version").RespondPve(HttpStatusCode.Unauthorized, "invalid ticket");
        stub.Expect(HttpMethod.Post, $"{TestClient.Api}/access/ticket").RespondData(ticket.Replace("t1", "t2", StringComparison.Ordinal));
        stub.Expect(HttpMethod.Get, $"{TestClient.Api}/version").WithHeader("Cookie", "PVEAuthCookie=t2").RespondData(VersionData);
        var client = TestClient.Create(stub, configure: o => o with
        {
            ApiToken = null,
            Ticket = new ProxmoxTicketCredentials { Username = "root@pam", Password = TestClient.Password },
        });

        // Act
        var version = await client.Cluster.GetVersionAsync(Ct);

        // Assert
        version.Version.ShouldBe("9.1.3");
    }

    [Fact]
    public async Task A_ticket_older_than_its_lifetime_is_renewed_before_the_next_call()
    {
        // Arrange
        var time = new ManualTimeProvider();
        const string ticket = """{"username":"root@pam","ticket":"t1","CSRFPreventionToken":"c1"}""";
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Post, $"{TestClient.Api}/access/ticket").RespondData(ticket);
        stub.Expect(HttpMethod.Get, $"{TestClient.Api}/version").WithHeader("Cookie", "PVEAuthCookie=t1").RespondData(VersionData);
        stub.Expect(HttpMethod.Get, $"{TestClient.Api}/version").WithHeader("Cookie", "PVEAuthCookie=t1").RespondData(VersionData);
        stub.Expect(HttpMethod.Post, $"{TestClient.Api}/access/ticket").RespondData(ticket.Replace("t1", "t2", StringComparison.Ordinal));
        stub.Expect(HttpMethod.Get, $"{TestClient.Api}/version").WithHeader("Cookie", "PVEAuthCookie=t2").RespondData(VersionData);
        var client = TestClient.Create(stub, time, o => o with
        {
            ApiToken = null,
            Ticket = new ProxmoxTicketCredentials { Username = "root@pam", Password = TestClient.Password, Realm = "pam" },
        });

        // Act
        await client.Cluster.GetVersionAsync(Ct);
        time.Advance(TimeSpan.FromMinutes(99));
        await client.Cluster.GetVersionAsync(Ct);
        time.Advance(TimeSpan.FromMinutes(1));
        await client.Cluster.GetVersionAsync(Ct);

        // Assert
        stub.Requests[0].Body.ShouldBe($"username=root%40pam&password={TestClient.Password}&realm=pam");
    }

    [Fact]
    public async Task A_refused_login_names_the_user_and_not_the_password()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Post, $"{TestClient.Api}/access/ticket").RespondPve(HttpStatusCode.Unauthorized, "authentication failure");
        var client = TestClient.Create(stub, configure: o => o with
        {
            ApiToken = null,
            Ticket = new ProxmoxTicketCredentials { Username = "root@pam", Password = TestClient.Password },
        });

        // Act
        var error = await Should.ThrowAsync<ProxmoxApiException>(() => client.Cluster.GetVersionAsync(Ct));

        // Assert
        error.IsUnauthorized.ShouldBeTrue();
        error.Message.ShouldContain("user root@pam");
        error.Message.ShouldNotContain(TestClient.Password);
    }

    [Fact]
    public async Task A_refused_token_is_reported_by_its_id_never_its_secret_and_not_retried()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, $"{TestClient.Api}/version").RespondPve(HttpStatusCode.Unauthorized, "authentication failure");
        var client = TestClient.Create(stub);

        // Act
        var error = await Should.ThrowAsync<ProxmoxApiException>(() => client.Cluster.GetVersionAsync(Ct));

        // Assert
        error.IsUnauthorized.ShouldBeTrue();
        error.Message.ShouldStartWith("Proxmox refused the API token root@pam!drover (authentication failure)");
        error.Message.ShouldNotContain(TestClient.Secret);
        stub.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Parameter_errors_come_from_the_body_and_the_message_from_the_reason_phrase()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, $"{TestClient.Api}/cluster/nextid?vmid=100").RespondPve(HttpStatusCode.BadRequest, "Parameter verification failed.",
            """{"data":null,"errors":{"vmid":"VM 100 already exists\n"}}""");
        var client = TestClient.Create(stub);

        // Act
        var error = await Should.ThrowAsync<ProxmoxApiException>(() => client.Cluster.NextIdAsync(100, Ct));

        // Assert
        error.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        error.Reason.ShouldBe("Parameter verification failed.");
        error.ParameterErrors.ShouldBe(new Dictionary<string, string> { ["vmid"] = "VM 100 already exists" });
        error.IsAlreadyExists.ShouldBeTrue();
        error.Lines.ShouldBe(["Parameter verification failed. (HTTP 400, GET /cluster/nextid)", "vmid: VM 100 already exists"]);
    }

    [Fact]
    public async Task The_body_message_of_newer_servers_is_preferred_and_a_bodyless_error_still_has_its_reason()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, $"{TestClient.Api}/version").RespondPve(HttpStatusCode.Forbidden, "Permission check failed",
            """{"data":null,"message":"Permission check failed (/, Sys.Audit)\n"}""");
        stub.Expect(HttpMethod.Get, $"{TestClient.Api}/nodes").RespondPve(HttpStatusCode.NotImplemented, "Method 'GET /nodes' not implemented", null);
        var client = TestClient.Create(stub);

        // Act
        var forbidden = await Should.ThrowAsync<ProxmoxApiException>(() => client.Cluster.GetVersionAsync(Ct));
        var missing = await Should.ThrowAsync<ProxmoxApiException>(() => client.Nodes.ListAsync(Ct));

        // Assert
        forbidden.Reason.ShouldBe("Permission check failed (/, Sys.Audit)");
        missing.Reason.ShouldBe("Method 'GET /nodes' not implemented");
        missing.IsNotFound.ShouldBeFalse();
    }

    [Fact]
    public async Task A_missing_VM_is_a_500_that_counts_as_not_found()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, $"{TestClient.Api}/nodes/pve/qemu/104/config")
            .RespondPve(HttpStatusCode.InternalServerError, "Configuration file 'nodes/pve/qemu-server/104.conf' does not exist");
        stub.Expect(HttpMethod.Get, $"{TestClient.Api}/nodes/pve/qemu/104/status/current")
            .RespondPve(HttpStatusCode.InternalServerError, "Configuration file 'nodes/pve/qemu-server/104.conf' does not exist");
        var client = TestClient.Create(stub);

        // Act
        var error = await Should.ThrowAsync<ProxmoxApiException>(() => client.Qemu.GetConfigAsync("pve", 104, cancellationToken: Ct));
        var status = await client.Qemu.GetStatusAsync("pve", 104, Ct);

        // Assert
        error.IsNotFound.ShouldBeTrue();
        error.Message.ShouldBe("Configuration file 'nodes/pve/qemu-server/104.conf' does not exist (HTTP 500, GET /nodes/pve/qemu/104/config)");
        status.ShouldBeNull();
        stub.Requests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task GETs_are_retried_on_503_with_backoff_but_POSTs_are_not()
    {
        // Arrange
        var time = new ManualTimeProvider();
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, $"{TestClient.Api}/version").RespondPve(HttpStatusCode.ServiceUnavailable, "Service Unavailable");
        stub.Expect(HttpMethod.Get, $"{TestClient.Api}/version").RespondPve(HttpStatusCode.BadGateway, "Bad Gateway");
        stub.Expect(HttpMethod.Get, $"{TestClient.Api}/version").RespondData(VersionData);
        stub.Expect(HttpMethod.Post, $"{TestClient.Api}/nodes/pve/qemu/101/status/start").RespondPve(HttpStatusCode.ServiceUnavailable, "Service Unavailable");
        var client = TestClient.Create(stub, time);

        // Act
        await client.Cluster.GetVersionAsync(Ct);
        var error = await Should.ThrowAsync<ProxmoxApiException>(() => client.Qemu.StartAsync("pve", 101, cancellationToken: Ct));

        // Assert
        time.Delays.ShouldBe([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)]);
        error.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
    }

    [Fact]
    public async Task A_GET_whose_connection_fails_is_retried_a_few_times_then_fails()
    {
        // Arrange
        var time = new ManualTimeProvider();
        using var stub = new StubHttpHandler();
        for (var i = 0; i < 4; i++)
        {
            stub.Expect(HttpMethod.Get, $"{TestClient.Api}/nodes").Throw(new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused"));
        }
        var client = TestClient.Create(stub, time);

        // Act
        var error = await Should.ThrowAsync<HttpRequestException>(() => client.Nodes.ListAsync(Ct));

        // Assert
        error.HttpRequestError.ShouldBe(HttpRequestError.ConnectionError);
        time.Delays.ShouldBe([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)]);
    }

    [Fact]
    public void Plain_http_is_refused_unless_allowed_towards_loopback()
    {
        // Arrange
        var token = new ProxmoxApiToken(TestClient.TokenId, TestClient.Secret);
        var remote = new ProxmoxClientOptions { Endpoint = new Uri("http://pve.example:8006"), ApiToken = token, AllowPlainHttp = true };
        var local = new ProxmoxClientOptions { Endpoint = new Uri("http://127.0.0.1:8006"), ApiToken = token };
        var allowed = local with { AllowPlainHttp = true };

        // Act
        var remoteError = Should.Throw<ProxmoxConfigurationException>(remote.Validate);
        var localError = Should.Throw<ProxmoxConfigurationException>(local.Validate);

        // Assert
        remoteError.Message.ShouldBe("Proxmox endpoint http://pve.example:8006/ uses plain http: the Proxmox API only speaks https (use https://pve.example:8006)");
        localError.IsUsageError.ShouldBeTrue();
        Should.NotThrow(allowed.Validate);
        allowed.BaseAddress.ShouldBe(new Uri("http://127.0.0.1:8006/api2/json/"));
    }

    [Fact]
    public void Options_need_exactly_one_credential_and_not_both_a_pin_and_insecure_mode()
    {
        // Arrange
        var endpoint = new Uri("https://pve.example:8006/api2/json");
        var token = new ProxmoxApiToken(TestClient.TokenId, TestClient.Secret);
        var ticket = new ProxmoxTicketCredentials { Username = "root@pam", Password = TestClient.Password };
        var pin = CertificateFingerprint.Parse(new string('a', 64));

        // Act / Assert
        Should.Throw<ProxmoxConfigurationException>(new ProxmoxClientOptions { Endpoint = endpoint }.Validate).Message.ShouldContain("exactly one");
        Should.Throw<ProxmoxConfigurationException>(new ProxmoxClientOptions { Endpoint = endpoint, ApiToken = token, Ticket = ticket }.Validate);
        Should.Throw<ProxmoxConfigurationException>(new ProxmoxClientOptions { Endpoint = endpoint, ApiToken = token, Fingerprint = pin, Insecure = true }.Validate)
            .Message.ShouldContain("not both");
        new ProxmoxClientOptions { Endpoint = endpoint, ApiToken = token }.BaseAddress.ShouldBe(new Uri("https://pve.example:8006/api2/json/"));
    }

    [Fact]
    public void Options_print_no_secret()
    {
        // Arrange
        var options = TestClient.TokenOptions() with { Fingerprint = CertificateFingerprint.Parse(new string('b', 64)) };
        var ticket = new ProxmoxTicketCredentials { Username = "root@pam", Password = TestClient.Password };

        // Act
        var text = options.ToString() + (options with { ApiToken = null, Ticket = ticket });

        // Assert
        text.ShouldNotContain(TestClient.Secret);
        text.ShouldNotContain(TestClient.Password);
        text.ShouldContain("root@pam!drover=<redacted>");
        text.ShouldContain("pinned BB:BB:");
    }

    [Fact]
    public async Task Booleans_as_numbers_and_numbers_as_strings_are_read()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, $"{TestClient.Api}/nodes/pve/storage")
            .RespondData("""[{"storage":"local","type":"dir","content":"iso,vztmpl,snippets,import,images","active":1,"enabled":"1","shared":0,"total":"1000","used":10,"avail":990}]""");
        var client = TestClient.Create(stub);

        // Act
        var storage = (await client.Storage.ListAsync("pve", cancellationToken: Ct)).ShouldHaveSingleItem();

        // Assert
        storage.ShouldBe(storage with { Active = true, Enabled = true, Shared = false, Total = 1000 });
        storage.ContentTypes.ShouldBe([StorageContent.Iso, StorageContent.Vztmpl, StorageContent.Snippets, StorageContent.Import, StorageContent.Images]);
    }
}
