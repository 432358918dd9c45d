using System.Text.Json;
using Drover.Hcloud.Contracts;
using Shouldly;
using Xunit;
using static Drover.Hcloud.Contracts.HcloudJsonContext;

namespace Drover.Hcloud.Tests.Contracts;

public sealed class IdOrNameTests
{
    [Theory]
    [InlineData("""{"image": 114690387}""", 114690387L, null)]
    [InlineData("""{"image": "114690387"}""", 114690387L, null)]
    [InlineData("""{"image": "debian-12"}""", null, "debian-12")]
    [InlineData("""{"image": "ubuntu-24.04"}""", null, "ubuntu-24.04")]
    public void Reads_a_number_a_digit_string_or_a_name(string json, long? id, string? name)
    {
        // Act
        var request = JsonSerializer.Deserialize(json, Default.RebuildServerRequest)!;

        // Assert
        request.Image.Id.ShouldBe(id);
        request.Image.Name.ShouldBe(name);
    }

    [Theory]
    [InlineData("""{"image": null}""")]
    [InlineData("""{"image": ""}""")]
    [InlineData("""{"image": true}""")]
    [InlineData("""{"image": {"id": 1}}""")]
    public void Rejects_anything_else(string json)
    {
        // Act / Assert
        Should.Throw<JsonException>(() => JsonSerializer.Deserialize(json, Default.RebuildServerRequest));
    }

    [Fact]
    public void Writes_an_id_as_a_number_and_a_name_as_a_string()
    {
        // Arrange
        var request = new CreateServerRequest { Name = "web-1", Image = IdOrName.FromId(114690387), ServerType = IdOrName.FromName("cx22") };

        // Act
        var json = JsonSerializer.Serialize(request, Default.CreateServerRequest);

        // Assert
        json.ShouldBe("""{"name":"web-1","server_type":"cx22","image":114690387}""");
    }

    [Theory]
    [InlineData("42", 42L, null)]
    [InlineData("cx22", null, "cx22")]
    [InlineData("-1", null, "-1")]
    [InlineData("12a", null, "12a")]
    public void Parse_treats_only_digits_as_an_id(string value, long? id, string? name)
    {
        // Act
        IdOrName parsed = value;

        // Assert
        parsed.Id.ShouldBe(id);
        parsed.Name.ShouldBe(name);
        parsed.ToString().ShouldBe(value);
    }

    [Fact]
    public void Implicit_conversion_from_long_is_an_id()
    {
        // Act
        IdOrName value = 7L;

        // Assert
        value.ShouldBe(IdOrName.FromId(7));
        value.Name.ShouldBeNull();
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void FromName_rejects_blank_names(string name)
    {
        // Act / Assert
        Should.Throw<ArgumentException>(() => IdOrName.FromName(name));
    }
}
