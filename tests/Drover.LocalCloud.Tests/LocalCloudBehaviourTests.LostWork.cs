using System.Text.Json.Nodes;
using Drover.Hcloud.Contracts;
using Drover.LocalCloud.Tests.Support;
using Shouldly;
using Xunit;

namespace Drover.LocalCloud.Tests;

public sealed partial class LocalCloudBehaviourTests
{
    [Fact]
    public async Task An_action_whose_real_work_was_lost_in_a_restart_fails_and_its_server_is_dropped()
    {
        // Arrange: a create action saved while its work (the disk) was still running, as a crash would leave it.
        using var directory = new TempDirectory();
        LocalCloudOptions Persistent(LocalCloudOptions o) => o with { StateDirectory = directory.Path, ActionDuration = TimeSpan.FromHours(1) };
        long serverId, actionId;
        await using (var first = await CloudHarness.StartAsync(autoAdvance: false, configure: Persistent))
        {
            var created = await first.Client.Servers.CreateAsync(new CreateServerRequest { Name = "lost", ServerType = "cx23", Image = "ubuntu-24.04", StartAfterCreate = false }, Ct);
            (serverId, actionId) = (created.Server.Id, created.Action.Id);
        }
        var state = JsonNode.Parse(await File.ReadAllTextAsync(directory.File("state.json"), Ct))!;
        state["actions"]!.AsArray().Single(a => a!["id"]!.GetValue<long>() == actionId)!["has_work"] = true;
        await File.WriteAllTextAsync(directory.File("state.json"), state.ToJsonString(), Ct);

        // Act
        await using var second = await CloudHarness.StartAsync(autoAdvance: false, configure: Persistent);
        var action = await second.Client.Actions.GetAsync(actionId, Ct);
        var server = await second.Client.Servers.GetAsync(serverId, Ct);

        // Assert
        action!.Status.ShouldBe(ActionStatus.Error);
        action.Error!.Code.ShouldBe("action_failed");
        action.Error.Message.ShouldContain("stopped before this action's work finished");
        server.ShouldBeNull();
    }

    [Fact]
    public async Task Without_machines_registered_files_are_served_on_loopback_with_ranges_and_head()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();
        using var directory = new TempDirectory();
        var file = directory.File("data.bin");
        var payload = Enumerable.Range(0, 100_000).Select(i => (byte)(i * 7)).ToArray();
        await File.WriteAllBytesAsync(file, payload, Ct);

        // Act
        using var registered = await cloud.Cloud.ControlAsync(HttpMethod.Post, "files", $$"""{"path": "{{file}}"}""");
        var url = new Uri(JsonNode.Parse(await registered.Content.ReadAsStringAsync(Ct))!["url"]!.GetValue<string>());
        using var http = new HttpClient();
        var whole = await http.GetByteArrayAsync(url, Ct);
        using var rangeRequest = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { Range = new System.Net.Http.Headers.RangeHeaderValue(99_990, null) } };
        using var range = await http.SendAsync(rangeRequest, Ct);
        using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, url), Ct);
        using var wrongName = await http.GetAsync(new Uri(url, "other.bin"), Ct);
        var missing = await cloud.PostAsync("/__localcloud/files", """{"path": "/nonexistent/file"}""", Ct);

        // Assert
        url.Host.ShouldBe("127.0.0.1");
        url.AbsolutePath.ShouldEndWith("/data.bin");
        whole.ShouldBe(payload);
        range.StatusCode.ShouldBe(System.Net.HttpStatusCode.PartialContent);
        (await range.Content.ReadAsByteArrayAsync(Ct)).ShouldBe(payload[99_990..]);
        range.Content.Headers.ContentRange!.ToString().ShouldBe("bytes 99990-99999/100000");
        head.Content.Headers.ContentLength.ShouldBe(payload.Length);
        wrongName.StatusCode.ShouldBe(System.Net.HttpStatusCode.NotFound);
        missing.Status.ShouldBe(422);
    }

    [Fact]
    public async Task A_registered_directory_serves_its_files_by_relative_path_and_nothing_outside_it()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();
        using var directory = new TempDirectory();
        var site = Directory.CreateDirectory(directory.File("site")).FullName;
        Directory.CreateDirectory(Path.Combine(site, "image", "abc", "v1.12.2"));
        await File.WriteAllTextAsync(Path.Combine(site, "image", "abc", "v1.12.2", "hcloud-amd64.raw.xz"), "amd64", Ct);
        await File.WriteAllTextAsync(directory.File("secret.txt"), "outside", Ct);

        // Act
        using var registered = await cloud.Cloud.ControlAsync(HttpMethod.Post, "files", $$"""{"path": "{{site}}"}""");
        var root = new Uri(JsonNode.Parse(await registered.Content.ReadAsStringAsync(Ct))!["url"]!.GetValue<string>());
        using var http = new HttpClient();
        var file = await http.GetStringAsync(new Uri(root, "image/abc/v1.12.2/hcloud-amd64.raw.xz"), Ct);
        using var missing = await http.GetAsync(new Uri(root, "image/abc/v1.12.2/hcloud-arm64.raw.xz"), Ct);
        using var folder = await http.GetAsync(new Uri(root, "image/abc"), Ct);
        using var escape = await http.GetAsync(new Uri(root.AbsoluteUri + "%2E%2E%2Fsecret.txt"), Ct);

        // Assert
        root.AbsolutePath.ShouldEndWith("/");
        file.ShouldBe("amd64");
        missing.StatusCode.ShouldBe(System.Net.HttpStatusCode.NotFound);
        folder.StatusCode.ShouldBe(System.Net.HttpStatusCode.NotFound);
        escape.StatusCode.ShouldBe(System.Net.HttpStatusCode.NotFound);
    }
}
