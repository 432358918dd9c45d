using System.Text.Json;
using Drover.LocalCloud.Tests.OpenApi;
using Shouldly;
using Xunit;

namespace Drover.LocalCloud.Tests;

public sealed class SchemaValidatorTests
{
    private const string ServerSchema = """
        {
          "type": "object",
          "required": ["id", "name", "image", "labels"],
          "properties": {
            "id": {"type": "integer", "minimum": 1},
            "name": {"type": "string"},
            "image": {"type": "object", "nullable": true, "required": ["type"], "properties": {"type": {"type": "string", "enum": ["system", "snapshot"]}}},
            "labels": {"type": "object", "additionalProperties": {"type": "string"}},
            "size": {"type": "number"},
            "tags": {"type": "array", "items": {"type": "string"}}
          }
        }
        """;

    private static IReadOnlyList<SchemaViolation> Validate(string schema, string json, bool strict = false)
    {
        using var s = JsonDocument.Parse(schema);
        using var j = JsonDocument.Parse(json);
        return SchemaValidator.Validate(s.RootElement, j.RootElement, strict);
    }

    [Fact]
    public void A_conforming_body_has_no_violations()
    {
        // Arrange
        const string Body = """{"id": 1, "name": "a", "image": null, "labels": {"k": "v"}, "size": 2, "tags": ["x"]}""";

        // Act
        var violations = Validate(ServerSchema, Body);

        // Assert
        violations.ShouldBeEmpty();
    }

    [Fact]
    public void Each_violation_is_reported_at_its_json_path()
    {
        // Arrange
        const string Body = """{"id": 1.5, "image": {"type": "app"}, "labels": {"k": 3, "a/b": "ok"}, "size": "big", "tags": ["x", null]}""";

        // Act
        var violations = Validate(ServerSchema, Body);

        // Assert
        violations.Select(v => v.ToString()).ShouldBe(
        [
            "$: missing required property 'name'",
            "$.id: is the number 1.5, expected integer",
            "$.image.type: \"app\" is not one of [\"system\", \"snapshot\"]",
            "$.labels.k: is the number 3, expected string",
            "$.size: is the string \"big\", expected number",
            "$.tags[1]: is null, but the schema is not nullable",
        ]);
    }

    [Fact]
    public void Null_is_rejected_unless_the_schema_is_nullable()
    {
        // Arrange
        const string Body = """{"id": 1, "name": null, "image": null, "labels": {}}""";

        // Act
        var violations = Validate(ServerSchema, Body);

        // Assert
        violations.ShouldHaveSingleItem().ToString().ShouldBe("$.name: is null, but the schema is not nullable");
    }

    [Fact]
    public void Minimum_and_maximum_are_checked()
    {
        // Arrange
        const string Schema = """{"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 100}}""";

        // Act
        var violations = Validate(Schema, "[0, 100, -1, 101]");

        // Assert
        violations.Select(v => v.Path).ShouldBe(["$[2]", "$[3]"]);
    }

    [Fact]
    public void All_of_requires_every_part_and_strict_mode_sees_their_union()
    {
        // Arrange
        const string Schema = """
            {"allOf": [
              {"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}},
              {"type": "object", "required": ["b"], "properties": {"b": {"type": "integer"}}}
            ]}
            """;

        // Act
        var good = Validate(Schema, """{"a": "x", "b": 1}""", strict: true);
        var bad = Validate(Schema, """{"a": 1, "c": true}""", strict: true);

        // Assert
        good.ShouldBeEmpty();
        bad.Select(v => v.ToString()).ShouldBe(
            ["$.c: is not declared by the schema", "$.a: is the number 1, expected string", "$: missing required property 'b'"],
            ignoreOrder: true);
    }

    [Fact]
    public void One_of_needs_exactly_one_match_and_any_of_at_least_one()
    {
        // Arrange
        const string OneOf = """{"oneOf": [{"type": "integer"}, {"type": "number"}]}""";
        const string AnyOf = """{"anyOf": [{"type": "string"}, {"type": "boolean"}]}""";

        // Act
        var ambiguous = Validate(OneOf, "3");
        var single = Validate(OneOf, "3.5");
        var none = Validate(AnyOf, "3");
        var some = Validate(AnyOf, "true");

        // Assert
        ambiguous.ShouldHaveSingleItem().Message.ShouldBe("matches 2 of 2 oneOf alternatives, expected exactly one");
        single.ShouldBeEmpty();
        none.ShouldHaveSingleItem().Message.ShouldBe("matches none of 2 anyOf alternatives");
        some.ShouldBeEmpty();
    }

    [Fact]
    public void Strict_mode_reports_undeclared_properties_and_additional_properties_false_always_does()
    {
        // Arrange
        const string Open = """{"type": "object", "properties": {"a": {"type": "string"}}}""";
        const string Closed = """{"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": false}""";

        // Act
        var lenient = Validate(Open, """{"a": "x", "extra": 1}""");
        var strict = Validate(Open, """{"a": "x", "extra": 1}""", strict: true);
        var closed = Validate(Closed, """{"a": "x", "extra": 1}""");

        // Assert
        lenient.ShouldBeEmpty();
        strict.ShouldHaveSingleItem().ToString().ShouldBe("$.extra: is not declared by the schema");
        closed.ShouldHaveSingleItem().ToString().ShouldBe("$.extra: is not allowed (additionalProperties: false)");
    }

    [Fact]
    public void Strict_mode_leaves_objects_without_listed_properties_free_form()
    {
        // Arrange
        const string Schema = """{"type": "object", "properties": {"details": {"type": "object", "nullable": true}}}""";

        // Act
        var violations = Validate(Schema, """{"details": {"fields": [{"name": "x"}]}}""", strict: true);

        // Assert
        violations.ShouldBeEmpty();
    }

    [Fact]
    public void Odd_property_names_are_quoted_in_paths()
    {
        // Arrange
        const string Schema = """{"type": "object", "additionalProperties": {"type": "string"}}""";

        // Act
        var violations = Validate(Schema, """{"example.com/my": 1}""");

        // Assert
        violations.ShouldHaveSingleItem().Path.ShouldBe("$['example.com/my']");
    }

    [Fact]
    public void The_spec_is_found_above_the_test_binaries()
    {
        // Act
        var path = OpenApiSpec.Find(AppContext.BaseDirectory);

        // Assert
        path.ShouldNotBeNull($"'{OpenApiSpec.RelativePath}' must exist at or above {AppContext.BaseDirectory} (in CI: <repo>/../shared/reference/)");
        OpenApiSpec.Instance.ResponseSchema("/servers", "GET", 200).GetProperty("type").GetString().ShouldBe("object");
    }
}
