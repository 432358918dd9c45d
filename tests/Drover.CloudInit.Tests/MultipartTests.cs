using System.Text.RegularExpressions;
using Shouldly;
using Xunit;

namespace Drover.CloudInit.Tests;

public class MultipartTests
{
    private sealed record MimePart(Dictionary<string, string> Headers, string Body);

    /// <summary>A small MIME reader: enough to check what cloud-init will see.</summary>
    private static (Dictionary<string, string> Headers, List<MimePart> Parts) Parse(string content)
    {
        var (headers, body) = SplitHeaders(content);
        var boundary = Regex.Match(headers["Content-Type"], "boundary=\"([^\"]+)\"").Groups[1].Value;
        boundary.ShouldNotBeEmpty();
        body.ShouldStartWith($"--{boundary}\n");
        var end = body.IndexOf($"\n--{boundary}--\n", StringComparison.Ordinal);
        end.ShouldBeGreaterThan(0, "closing boundary missing");
        var sections = body[($"--{boundary}\n".Length)..end].Split($"\n--{boundary}\n");
        var parts = sections.Select(s =>
        {
            var (partHeaders, partBody) = SplitHeaders(s);
            return new MimePart(partHeaders, partBody);
        }).ToList();
        return (headers, parts);
    }

    private static (Dictionary<string, string>, string) SplitHeaders(string text)
    {
        var split = text.IndexOf("\n\n", StringComparison.Ordinal);
        var headers = text[..split].Split('\n').Select(l => l.Split(": ", 2)).ToDictionary(p => p[0], p => p[1]);
        return (headers, text[(split + 2)..]);
    }

    private static UserDataInput ThreeParts() => Examples.Full(
        Examples.Template("nixos-host.yaml"),
        Examples.Template("hello.sh"),
        Examples.Template("packages.yaml"));

    [Fact]
    public void Several_parts_become_multipart_mixed_with_a_header_per_part()
    {
        // Act
        var data = UserDataRenderer.Render(ThreeParts());
        var (headers, parts) = Parse(data.Content);

        // Assert
        data.IsMultipart.ShouldBeTrue();
        headers["MIME-Version"].ShouldBe("1.0");
        headers["Content-Type"].ShouldStartWith("multipart/mixed; boundary=");
        parts.Count.ShouldBe(3);
        parts.Select(p => p.Headers["Content-Type"]).ShouldBe(
            ["text/cloud-config; charset=\"utf-8\"", "text/x-shellscript; charset=\"utf-8\"", "text/cloud-config; charset=\"utf-8\""]);
        parts.Select(p => p.Headers["Content-Disposition"]).ShouldBe(
            ["attachment; filename=\"nixos-host.yaml\"", "attachment; filename=\"hello.sh\"", "attachment; filename=\"packages.yaml\""]);
        for (var i = 0; i < 3; i++)
        {
            parts[i].Body.ShouldBe(data.Parts[i].Content);
        }
    }

    [Fact]
    public void Each_cloud_config_part_of_a_multipart_passes_cloud_init_schema()
    {
        var data = UserDataRenderer.Render(ThreeParts());

        foreach (var part in data.Parts.Where(p => p.ContentType == ContentTypes.CloudConfig))
        {
            CloudInitSchema.AssertValid(part.Content, part.SourceName);
        }
    }

    [Fact]
    public void Cloud_init_reads_the_multipart_back_into_the_same_parts()
    {
        // Act
        var data = UserDataRenderer.Render(ThreeParts());
        var parts = CloudInitSchema.ReadParts(data.Content);

        // Assert
        parts.ShouldBe(data.Parts.Select(p =>
            $"{p.ContentType} {p.SourceName} {System.Text.Encoding.UTF8.GetByteCount(p.Content)}").ToArray());
    }

    [Fact]
    public void Boundary_never_occurs_in_a_part()
    {
        // Arrange: a part that quotes the first boundaries the renderer would pick
        var nasty = "#!/bin/sh\n# --==drover-boundary-0==\n# ==drover-boundary-1\n";
        var input = Examples.Full(new UserDataTemplate("a.sh", nasty), new UserDataTemplate("b.sh", "#!/bin/sh\ntrue"));

        // Act
        var data = UserDataRenderer.Render(input);
        var (headers, parts) = Parse(data.Content);

        // Assert
        headers["Content-Type"].ShouldBe("multipart/mixed; boundary=\"==drover-boundary-2==\"");
        parts.Select(p => p.Body).ShouldBe([nasty, "#!/bin/sh\ntrue"]);
    }

    [Fact]
    public void One_template_is_the_content_as_it_is()
    {
        var data = UserDataRenderer.Render(Examples.Full(Examples.Template("hello.sh")));

        data.IsMultipart.ShouldBeFalse();
        data.Content.ShouldBe("#!/bin/sh\n# Runs once as a user script; ${NAME} is shell syntax, escaped from the template.\nset -eu\nNAME=web1\necho \"hello from ${NAME} in fleet.example\" > /run/drover-hello\necho \"$HOME\"\n");
    }

    [Fact]
    public void File_names_are_cleaned_for_the_header()
    {
        var input = Examples.Full(new UserDataTemplate("dir/we\"ird\\.sh", "#!/bin/sh\n"), new UserDataTemplate("b.sh", "#!/bin/sh\n"));

        var (_, parts) = Parse(UserDataRenderer.Render(input).Content);

        parts[0].Headers["Content-Disposition"].ShouldBe("attachment; filename=\"weird.sh\"");
    }
}
