using System.Text.Json;
using Drover.Fleet.Config;
using Shouldly;
using Xunit;

namespace Drover.Fleet.Tests;

/// <summary>The schema editors use and the loader must accept exactly the same keys.</summary>
public sealed class FleetSchemaTests
{
    private static readonly JsonElement _schema = JsonDocument.Parse(FleetSchema.Json).RootElement;

    private static List<string> Properties(JsonElement obj) => [.. obj.GetProperty("properties").EnumerateObject().Select(p => p.Name)];

    public static TheoryData<string, string[]> Objects() => new()
    {
        { "", [.. FleetKeys.Root] },
        { "defaults", [.. FleetKeys.DefaultsKeys] },
        { "ssh_key", [.. FleetKeys.SshKeyKeys] },
        { "image", [.. FleetKeys.ImageKeys] },
        { "host", [.. FleetKeys.HostKeys] },
        { "user_data", [.. FleetKeys.UserDataKeys] },
        { "network", [.. FleetKeys.NetworkKeys] },
        { "proxmox", [.. FleetKeys.ProxmoxKeys] },
    };

    [Theory]
    [MemberData(nameof(Objects))]
    public void Schema_and_loader_accept_the_same_keys(string definition, string[] loaderKeys)
    {
        var obj = definition.Length == 0 ? _schema : _schema.GetProperty("$defs").GetProperty(definition);

        Properties(obj).ShouldBe(loaderKeys, ignoreOrder: true);
        obj.GetProperty("additionalProperties").GetBoolean().ShouldBeFalse();
    }

    [Fact]
    public void Every_object_with_properties_is_closed_and_every_definition_is_checked()
    {
        var defs = _schema.GetProperty("$defs").EnumerateObject().Where(d => d.Value.TryGetProperty("properties", out _)).Select(d => d.Name);

        defs.ShouldBe(Objects().Select(row => row.Data.Item1).Where(n => n.Length > 0), ignoreOrder: true);
    }

    [Fact]
    public void Architecture_is_an_enum_of_the_loaders_architectures()
    {
        _schema.GetProperty("$defs").GetProperty("architecture").GetProperty("enum").EnumerateArray().Select(e => e.GetString())
            .ShouldBe(FleetKeys.Architectures);
        _schema.GetProperty("$schema").GetString().ShouldBe("https://json-schema.org/draft/2020-12/schema");
    }

    [Fact]
    public void Every_property_has_a_description()
    {
        var missing = new List<string>();
        void Walk(JsonElement obj, string path)
        {
            if (!obj.TryGetProperty("properties", out var props))
            {
                return;
            }
            foreach (var p in props.EnumerateObject())
            {
                var ok = p.Value.TryGetProperty("description", out _)
                    || (p.Value.TryGetProperty("$ref", out var r) && Resolve(r.GetString()!).TryGetProperty("description", out _));
                if (!ok)
                {
                    missing.Add($"{path}.{p.Name}");
                }
            }
        }
        Walk(_schema, "");
        foreach (var d in _schema.GetProperty("$defs").EnumerateObject())
        {
            Walk(d.Value, d.Name);
        }

        missing.ShouldBeEmpty();
    }

    private static JsonElement Resolve(string reference) => _schema.GetProperty("$defs").GetProperty(reference["#/$defs/".Length..]);
}
