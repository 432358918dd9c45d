using Drover.Hcloud;
using Drover.Hcloud.Contracts;
using Drover.Hcloud.Labels;
using Drover.LocalCloud.Tests.Support;
using Shouldly;
using Xunit;

namespace Drover.LocalCloud.Tests;

public sealed partial class LocalCloudBehaviourTests
{
    [Fact]
    public async Task Lists_are_paginated_25_a_page_by_default_with_meta_and_a_link_header()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();
        await cloud.ControlAsync("seed/snapshots", """{"count": 60}""");

        // Act
        var first = await cloud.GetAsync("images?type=snapshot", Ct);
        var second = await cloud.GetAsync("images?type=snapshot&page=2", Ct);
        var last = await cloud.GetAsync("images?type=snapshot&page=3", Ct);

        // Assert
        first.Json.GetProperty("images").GetArrayLength().ShouldBe(25);
        var meta = CloudHarness.Pagination(first);
        meta.GetProperty("page").GetInt32().ShouldBe(1);
        meta.GetProperty("per_page").GetInt32().ShouldBe(25);
        meta.GetProperty("previous_page").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        meta.GetProperty("next_page").GetInt32().ShouldBe(2);
        meta.GetProperty("last_page").GetInt32().ShouldBe(3);
        meta.GetProperty("total_entries").GetInt32().ShouldBe(60);
        var link = first.Header("Link").ShouldNotBeNull();
        link.ShouldContain("type=snapshot&page=2&per_page=25>; rel=\"next\"");
        link.ShouldContain("type=snapshot&page=3&per_page=25>; rel=\"last\"");
        link.ShouldNotContain("rel=\"prev\"");

        CloudHarness.Pagination(second).GetProperty("previous_page").GetInt32().ShouldBe(1);
        CloudHarness.Pagination(second).GetProperty("next_page").GetInt32().ShouldBe(3);
        second.Header("Link").ShouldNotBeNull().ShouldContain("page=1&per_page=25>; rel=\"prev\"");
        CloudHarness.Ids(second, "images").ShouldBe(CloudHarness.Ids(second, "images").Order());
        CloudHarness.Ids(second, "images")[0].ShouldBeGreaterThan(CloudHarness.Ids(first, "images")[^1]);

        last.Json.GetProperty("images").GetArrayLength().ShouldBe(10);
        CloudHarness.Pagination(last).GetProperty("next_page").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        last.Header("Link").ShouldNotBeNull().ShouldNotContain("rel=\"next\"");
    }

    [Fact]
    public async Task Per_page_is_capped_at_50_and_the_client_reads_every_page()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();
        await cloud.ControlAsync("seed/snapshots", """{"count": 60}""");

        // Act
        var big = await cloud.GetAsync("images?type=snapshot&per_page=100", Ct);
        var all = await cloud.Client.Images.ListAsync(new ImageListOptions { Type = [ImageType.Snapshot] }, Ct).ToListAsync(Ct);

        // Assert
        big.Json.GetProperty("images").GetArrayLength().ShouldBe(50);
        CloudHarness.Pagination(big).GetProperty("per_page").GetInt32().ShouldBe(50);
        CloudHarness.Pagination(big).GetProperty("last_page").GetInt32().ShouldBe(2);
        all.Count.ShouldBe(60);
        all.Select(i => i.Id).Distinct().Count().ShouldBe(60);
    }

    [Theory]
    [InlineData("page=0")]
    [InlineData("per_page=-1")]
    [InlineData("page=two")]
    public async Task Bad_page_parameters_are_invalid_input(string query)
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();

        // Act
        var reply = await cloud.GetAsync($"servers?{query}", Ct);

        // Assert
        reply.Status.ShouldBe(422);
        reply.ErrorCode.ShouldBe("invalid_input");
        reply.ErrorFields.ShouldBe([query.Split('=')[0]]);
    }

    [Fact]
    public async Task Lists_sort_by_the_given_fields_and_directions()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();
        foreach (var name in new[] { "bravo", "alpha", "charlie" })
        {
            await cloud.CreateServerAsync(name, Ct);
        }

        // Act
        var byNameDesc = await cloud.GetAsync("servers?sort=name:desc", Ct);
        var byName = await cloud.GetAsync("servers?sort=name", Ct);
        var byIdDesc = await cloud.GetAsync("servers?sort=id:desc", Ct);
        var unsorted = await cloud.GetAsync("servers", Ct);
        var viaClient = await cloud.Client.Servers.ListAsync(new ServerListOptions { Sort = ["name:desc"] }, Ct).ToListAsync(Ct);

        // Assert
        CloudHarness.Names(byNameDesc, "servers").ShouldBe(["charlie", "bravo", "alpha"]);
        CloudHarness.Names(byName, "servers").ShouldBe(["alpha", "bravo", "charlie"]);
        CloudHarness.Names(byIdDesc, "servers").ShouldBe(["charlie", "alpha", "bravo"]);
        CloudHarness.Names(unsorted, "servers").ShouldBe(["bravo", "alpha", "charlie"]);
        viaClient.Select(s => s.Name).ShouldBe(["charlie", "bravo", "alpha"]);
    }

    [Theory]
    [InlineData("servers?sort=size")]
    [InlineData("servers?sort=name:sideways")]
    [InlineData("ssh_keys?sort=created")]
    [InlineData("images?sort=name:asc:desc")]
    public async Task An_invalid_sort_is_invalid_input(string path)
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();

        // Act
        var reply = await cloud.GetAsync(path, Ct);

        // Assert
        reply.Status.ShouldBe(422);
        reply.ErrorCode.ShouldBe("invalid_input");
        reply.ErrorFields.ShouldBe(["sort"]);
    }

    [Theory]
    [InlineData("env=prod", new[] { "a" })]
    [InlineData("env==prod,role=web", new[] { "a" })]
    [InlineData("env in (prod,staging)", new[] { "a", "b" })]
    [InlineData("env notin (prod)", new[] { "b", "c" })]
    [InlineData("role", new[] { "a", "b" })]
    [InlineData("!role", new[] { "c" })]
    public async Task Server_lists_filter_by_label_selector(string selector, string[] expected)
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();
        await cloud.CreateServerAsync("a", Ct, labels: """{"env": "prod", "role": "web"}""");
        await cloud.CreateServerAsync("b", Ct, labels: """{"env": "staging", "role": "db"}""");
        await cloud.CreateServerAsync("c", Ct);

        // Act
        var reply = await cloud.GetAsync($"servers?label_selector={Uri.EscapeDataString(selector)}", Ct);
        var viaClient = await cloud.Client.Servers.ListAsync(new ServerListOptions { LabelSelector = LabelSelector.Parse(selector) }, Ct).ToListAsync(Ct);

        // Assert
        CloudHarness.Names(reply, "servers").ShouldBe(expected);
        viaClient.Select(s => s.Name).ShouldBe(expected);
    }

    [Fact]
    public async Task Image_and_ssh_key_lists_filter_by_label_selector()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();
        await cloud.ControlAsync("seed/snapshots", """{"count": 2, "labels": {"role": "base"}}""");
        await cloud.ControlAsync("seed/snapshots", """{"count": 3, "labels": {"role": "app"}}""");
        await cloud.CreateSshKeyAsync("ops-key", 1, Ct, """{"team": "ops"}""");
        await cloud.CreateSshKeyAsync("dev-key", 2, Ct, """{"team": "dev"}""");

        // Act
        var images = await cloud.GetAsync("images?label_selector=role%3Dbase", Ct);
        var keys = await cloud.GetAsync("ssh_keys?label_selector=team%3Dops", Ct);
        var viaClient = await cloud.Client.Images.ListAsync(new ImageListOptions { LabelSelector = LabelSelector.Parse("role=app") }, Ct).ToListAsync(Ct);

        // Assert
        images.Json.GetProperty("images").GetArrayLength().ShouldBe(2);
        images.Json.GetProperty("images").EnumerateArray().ShouldAllBe(i => i.GetProperty("labels").GetProperty("role").GetString() == "base");
        CloudHarness.Names(keys, "ssh_keys").ShouldBe(["ops-key"]);
        viaClient.Count.ShouldBe(3);
        viaClient.ShouldAllBe(i => i.Labels["role"] == "app");
    }

    [Fact]
    public async Task Deprecated_images_are_listed_only_with_include_deprecated()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();

        // Act
        var hidden = await cloud.GetAsync("images?name=ubuntu-20.04", Ct);
        var shown = await cloud.GetAsync("images?name=ubuntu-20.04&include_deprecated=true", Ct);
        var bad = await cloud.GetAsync("images?include_deprecated=maybe", Ct);
        var viaClient = await cloud.Client.Images.ListAsync(new ImageListOptions { Name = "ubuntu-20.04", IncludeDeprecated = true }, Ct).ToListAsync(Ct);

        // Assert
        hidden.Json.GetProperty("images").GetArrayLength().ShouldBe(0);
        shown.Json.GetProperty("images").GetArrayLength().ShouldBe(2);
        shown.Json.GetProperty("images").EnumerateArray().ShouldAllBe(i => i.GetProperty("deprecated").ValueKind == System.Text.Json.JsonValueKind.String);
        bad.Status.ShouldBe(422);
        bad.ErrorFields.ShouldBe(["include_deprecated"]);
        viaClient.Select(i => i.Architecture).ShouldBe([Architecture.X86, Architecture.Arm], ignoreOrder: true);
        viaClient.ShouldAllBe(i => i.Deprecated != null);
    }

    [Theory]
    [InlineData("x86")]
    [InlineData("arm")]
    public async Task Images_filter_by_name_and_architecture(string architecture)
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();

        // Act
        var reply = await cloud.GetAsync($"images?name=ubuntu-24.04&architecture={architecture}", Ct);
        var viaClient = await cloud.Client.Images.GetByNameAsync("ubuntu-24.04", Architecture.From(architecture), Ct);

        // Assert
        var image = reply.Json.GetProperty("images").EnumerateArray().ShouldHaveSingleItem();
        image.GetProperty("name").GetString().ShouldBe("ubuntu-24.04");
        image.GetProperty("architecture").GetString().ShouldBe(architecture);
        viaClient.ShouldNotBeNull().Architecture.Value.ShouldBe(architecture);
        viaClient.Id.ShouldBe(image.GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task An_unknown_architecture_filter_is_invalid_input()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();

        // Act
        var reply = await cloud.GetAsync("images?architecture=sparc", Ct);

        // Assert
        reply.Status.ShouldBe(422);
        reply.ErrorFields.ShouldBe(["architecture"]);
    }
}
