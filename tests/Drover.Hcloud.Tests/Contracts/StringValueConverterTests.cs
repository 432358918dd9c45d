using System.Text.Json;
using Drover.Hcloud.Contracts;
using Drover.Hcloud.Tests.Fixtures;
using Shouldly;
using Xunit;
using static Drover.Hcloud.Contracts.HcloudJsonContext;

namespace Drover.Hcloud.Tests.Contracts;

/// <summary>Server-owned vocabularies never break deserialization and keep unknown values.</summary>
public sealed class StringValueConverterTests
{
    [Fact]
    public void Unknown_server_status_round_trips()
    {
        // Arrange
        var json = $$"""{"server": {{ApiFixtures.Server.Replace("\"status\": \"running\"", "\"status\": \"frobbing\"", StringComparison.Ordinal)}}}""";

        // Act
        var server = JsonSerializer.Deserialize(json, Default.ServerResponse)!.Server;
        var written = JsonSerializer.Serialize(new ServerResponse { Server = server }, Default.ServerResponse);

        // Assert
        server.Status.Value.ShouldBe("frobbing");
        server.Status.ShouldNotBe(ServerStatus.Running);
        server.Status.ShouldBe(ServerStatus.From("frobbing"));
        written.ShouldContain("\"status\":\"frobbing\"");
    }

    [Fact]
    public void Unknown_image_type_status_and_architecture_round_trip()
    {
        // Arrange
        var json = $$"""{"image": {{ApiFixtures.Image
            .Replace("\"type\": \"snapshot\"", "\"type\": \"template\"", StringComparison.Ordinal)
            .Replace("\"status\": \"available\"", "\"status\": \"melting\"", StringComparison.Ordinal)
            .Replace("\"architecture\": \"x86\"", "\"architecture\": \"riscv64\"", StringComparison.Ordinal)}}}""";

        // Act
        var image = JsonSerializer.Deserialize(json, Default.ImageResponse)!.Image;
        var written = JsonSerializer.Serialize(new ImageResponse { Image = image }, Default.ImageResponse);

        // Assert
        image.Type.Value.ShouldBe("template");
        image.Status.Value.ShouldBe("melting");
        image.Architecture.Value.ShouldBe("riscv64");
        written.ShouldContain("\"type\":\"template\"");
        written.ShouldContain("\"status\":\"melting\"");
        written.ShouldContain("\"architecture\":\"riscv64\"");
    }

    [Fact]
    public void Unknown_action_status_is_kept()
    {
        // Arrange
        var json = $$"""{"action": {{ApiFixtures.ActionWith(1, "paused")}}}""";

        // Act
        var action = JsonSerializer.Deserialize(json, Default.ActionResponse)!.Action;

        // Assert
        action.Status.ShouldBe(ActionStatus.From("paused"));
        action.Status.ToString().ShouldBe("paused");
    }

    [Fact]
    public void Known_values_compare_equal_to_parsed_values()
    {
        // Assert
        ServerStatus.From("off").ShouldBe(ServerStatus.Off);
        ImageType.From("backup").ShouldBe(ImageType.Backup);
        Architecture.From("arm").ShouldBe(Architecture.Arm);
        ActionStatus.From("success").ShouldBe(ActionStatus.Success);
    }

    [Fact]
    public void A_null_vocabulary_value_is_rejected()
    {
        // Arrange
        var json = $$"""{"action": {{ApiFixtures.ActionWith(1, "running").Replace("\"status\": \"running\"", "\"status\": null", StringComparison.Ordinal)}}}""";

        // Act / Assert
        Should.Throw<JsonException>(() => JsonSerializer.Deserialize(json, Default.ActionResponse));
    }
}
