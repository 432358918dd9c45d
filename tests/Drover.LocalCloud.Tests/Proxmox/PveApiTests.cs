using Shouldly;
using Xunit;

namespace Drover.LocalCloud.Tests.Proxmox;

/// <summary>The local Proxmox VE's wire format, authentication and error shapes, over raw HTTP.</summary>
public sealed class PveApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Version_answers_data_with_the_exact_content_type_of_real_PVE()
    {
        // Arrange
        await using var pve = await PveHarness.StartAsync();

        // Act
        var reply = await pve.GetAsync("version", Ct);

        // Assert
        reply.Status.ShouldBe(200);
        reply.ContentType.ShouldBe("application/json;charset=UTF-8");
        reply.Data.GetProperty("version").GetString().ShouldNotBeNullOrEmpty();
        reply.Data.GetProperty("release").GetString().ShouldNotBeNullOrEmpty();
    }

    [Theory]
    [InlineData(null, "No ticket")]
    [InlineData("PVEAPIToken=root@pam!drover=00000000-0000-0000-0000-000000000000", "authentication failure")]
    [InlineData("PVEAPIToken=root@pam!other=00000000-0000-0000-0000-000000000000", "authentication failure")]
    [InlineData("Bearer test-token-0123456789abcdef", "No ticket")]
    public async Task A_missing_or_wrong_credential_gets_401_after_PVEs_delay(string? authorization, string reason)
    {
        // Arrange
        await using var pve = await PveHarness.StartAsync();
        using var http = pve.Client(authorization);

        // Act
        var reply = await PveHarness.SendAsync(http, HttpMethod.Get, "nodes", null, Ct);

        // Assert
        reply.Status.ShouldBe(401);
        reply.Reason.ShouldBe(reason);
        reply.Json.GetProperty("data").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        pve.Time.TotalDelayed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task The_token_header_also_works_with_a_space_and_splits_on_the_last_equals_sign()
    {
        // Arrange
        await using var pve = await PveHarness.StartAsync();
        using var http = pve.Client($"PVEAPIToken root@pam!drover={pve.Pve.Credentials.TokenSecret}");

        // Act
        var reply = await PveHarness.SendAsync(http, HttpMethod.Get, "nodes", null, Ct);

        // Assert
        reply.Status.ShouldBe(200);
        reply.Data[0].GetProperty("node").GetString().ShouldBe(PveHarness.Node);
        reply.Data[0].GetProperty("ssl_fingerprint").GetString().ShouldBe(pve.Pve.Credentials.Fingerprint);
    }

    [Fact]
    public async Task A_ticket_authenticates_GETs_and_needs_the_CSRF_token_for_anything_else()
    {
        // Arrange
        await using var pve = await PveHarness.StartAsync();
        using var anonymous = pve.Client(null);
        var login = await PveHarness.SendAsync(anonymous, HttpMethod.Post, "access/ticket",
            new Dictionary<string, string> { ["username"] = "root@pam", ["password"] = pve.Pve.Credentials.RootPassword }, Ct);
        var ticket = login.Data.GetProperty("ticket").GetString()!;
        var csrf = login.Data.GetProperty("CSRFPreventionToken").GetString()!;
        using var withTicket = pve.Client(null);
        withTicket.DefaultRequestHeaders.Add("Cookie", $"PVEAuthCookie={Uri.EscapeDataString(ticket)}");
        var create = new Dictionary<string, string> { ["vmid"] = "100", ["name"] = "t1" };

        // Act
        var get = await PveHarness.SendAsync(withTicket, HttpMethod.Get, "cluster/nextid", null, Ct);
        var postWithoutCsrf = await PveHarness.SendAsync(withTicket, HttpMethod.Post, $"nodes/{PveHarness.Node}/qemu", create, Ct);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"nodes/{PveHarness.Node}/qemu") { Content = new FormUrlEncodedContent(create) };
        request.Headers.Add("CSRFPreventionToken", csrf);
        var postWithCsrf = await PveHarness.SendAsync(withTicket, request, Ct);

        // Assert
        login.Status.ShouldBe(200);
        login.Data.GetProperty("username").GetString().ShouldBe("root@pam");
        ticket.ShouldStartWith("PVE:root@pam:");
        get.Status.ShouldBe(200);
        postWithoutCsrf.Status.ShouldBe(401);
        postWithoutCsrf.Reason.ShouldBe("Permission denied - invalid csrf token");
        postWithCsrf.Status.ShouldBe(200);
        postWithCsrf.Data.GetString().ShouldStartWith("UPID:drover:");
    }

    [Fact]
    public async Task A_wrong_password_gets_no_ticket()
    {
        // Arrange
        await using var pve = await PveHarness.StartAsync();
        using var anonymous = pve.Client(null);

        // Act
        var reply = await PveHarness.SendAsync(anonymous, HttpMethod.Post, "access/ticket", new Dictionary<string, string> { ["username"] = "root", ["realm"] = "pam", ["password"] = "wrong" }, Ct);

        // Assert
        reply.Status.ShouldBe(401);
    }

    [Theory]
    [InlineData("GET", "nodes/drover/nothing-here", "Method 'GET /nodes/drover/nothing-here' not implemented")]
    [InlineData("DELETE", "version", "Method 'DELETE /version' not implemented")]
    public async Task An_unknown_method_gets_501_not_implemented(string method, string path, string reason)
    {
        // Arrange
        await using var pve = await PveHarness.StartAsync();

        // Act
        var reply = await PveHarness.SendAsync(pve.Http, new HttpMethod(method), path, null, Ct);

        // Assert
        reply.Status.ShouldBe(501);
        reply.Reason.ShouldBe(reason);
        reply.Json.GetProperty("message").GetString().ShouldBe(reason + "\n");
    }

    [Fact]
    public async Task A_missing_VM_is_a_500_naming_its_configuration_file()
    {
        // Arrange
        await using var pve = await PveHarness.StartAsync();

        // Act
        var reply = await pve.GetAsync("nodes/drover/qemu/4242/config", Ct);

        // Assert
        reply.Status.ShouldBe(500);
        reply.Reason.ShouldBe("Configuration file 'nodes/drover/qemu-server/4242.conf' does not exist");
        reply.ContentType.ShouldBe("application/json;charset=UTF-8");
        reply.Json.GetProperty("data").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
    }

    [Fact]
    public async Task Bad_parameters_get_400_parameter_verification_failed_with_one_error_each()
    {
        // Arrange
        await using var pve = await PveHarness.StartAsync();
        var form = new Dictionary<string, string>
        {
            ["vmid"] = "42",
            ["ostype"] = "beos",
            ["cores"] = "many",
            ["sshkeys"] = "ssh-ed25519 AAAA key@host",
            ["bogus"] = "1",
        };

        // Act
        var reply = await pve.PostAsync("nodes/drover/qemu", form, Ct);
        var missing = await pve.PostAsync("nodes/drover/qemu", new Dictionary<string, string> { ["name"] = "x" }, Ct);

        // Assert
        reply.Status.ShouldBe(400);
        reply.Reason.ShouldBe("Parameter verification failed.");
        reply.Error("vmid").ShouldBe("value must have a minimum value of 100");
        reply.Error("ostype").ShouldStartWith("value 'beos' does not have a value in the enumeration 'other, wxp");
        reply.Error("cores").ShouldBe("type check ('integer') failed - got 'many'");
        reply.Error("sshkeys").ShouldStartWith("invalid format - invalid urlencoded string");
        reply.Error("bogus").ShouldBe("property is not defined in schema and the schema does not allow additional properties");
        missing.Error("vmid").ShouldBe("property is missing and it is not optional");
    }

    [Fact]
    public async Task Nextid_counts_from_100_and_checks_a_wanted_id()
    {
        // Arrange
        await using var pve = await PveHarness.StartAsync();
        var first = await pve.GetAsync("cluster/nextid", Ct);
        await pve.CreateVmAsync(100, Ct);

        // Act
        var next = await pve.GetAsync("cluster/nextid", Ct);
        var taken = await pve.GetAsync("cluster/nextid?vmid=100", Ct);
        var free = await pve.GetAsync("cluster/nextid?vmid=555", Ct);

        // Assert
        first.Data.GetInt64().ShouldBe(100);
        next.Data.GetInt64().ShouldBe(101);
        taken.Status.ShouldBe(400);
        taken.Error("vmid").ShouldBe("VM 100 already exists");
        free.Data.GetInt64().ShouldBe(555);
    }

    [Fact]
    public async Task JSON_bodies_work_like_form_bodies()
    {
        // Arrange
        await using var pve = await PveHarness.StartAsync();
        await pve.CreateVmAsync(100, Ct);
        using var request = new HttpRequestMessage(HttpMethod.Put, "nodes/drover/qemu/100/config")
        {
            Content = new StringContent("""{"ciuser":"root","cores":2,"onboot":true}""", System.Text.Encoding.UTF8, "application/json"),
        };

        // Act
        var put = await PveHarness.SendAsync(pve.Http, request, Ct);
        var config = await pve.GetAsync("nodes/drover/qemu/100/config", Ct);

        // Assert
        put.Status.ShouldBe(200);
        put.Body.ShouldBe("""{"data":null}""");
        config.Data.GetProperty("ciuser").GetString().ShouldBe("root");
        config.Data.GetProperty("cores").GetInt64().ShouldBe(2);
        config.Data.GetProperty("onboot").GetInt64().ShouldBe(1);
    }
}
