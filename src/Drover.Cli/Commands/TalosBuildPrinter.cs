using System.Globalization;
using System.Text.Json;
using Drover.Cli.Output;
using Drover.Hcloud.Contracts;
using Drover.Images.Talos;

namespace Drover.Cli.Commands;

/// <summary>What <c>talos build</c> prints: the manifests written, or each architecture's import.</summary>
internal static class TalosBuildPrinter
{
    /// <summary>As the other commands print JSON: '+' in the snapshot's timestamps stays '+'.</summary>
    private static readonly TalosJson _json = new(new JsonSerializerOptions(TalosJson.Default.Options)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    /// <summary>One manifest path per line, or the images and manifests as JSON.</summary>
    public static void PrintManifests(CliEnv env, IReadOnlyList<(TalosImage Image, string ManifestPath)> built, OutputFormat format)
    {
        if (format == OutputFormat.Json)
        {
            env.IO.Out.WriteLine(JsonSerializer.Serialize<IReadOnlyList<BuildJson>>([.. built.Select(b => Entry(b.Image, b.ManifestPath))], _json.IReadOnlyListBuildJson));
            return;
        }
        foreach (var (_, path) in built)
        {
            env.IO.Out.WriteLine(path);
        }
    }

    /// <summary>
    /// A table (or JSON) of the imports on stdout, the failures as <c>error: ARCH: …</c> on stderr; returns whether
    /// every architecture has its snapshot.
    /// </summary>
    public static async Task<bool> PrintUploadsAsync(CliEnv env, IReadOnlyList<TalosUploadResult> results, OutputFormat format)
    {
        foreach (var r in results)
        {
            if (r.Upload is { Skipped: true } skipped)
            {
                await env.IO.Error.WriteLineAsync($"{r.Image.Architecture}: snapshot {skipped.Snapshot.Id} already holds this image (sha256 {skipped.Sha256}); nothing uploaded (--force uploads anyway)");
            }
            foreach (var line in r.Error is { } e ? Describe(e) : [])
            {
                await env.IO.Error.WriteLineAsync($"error: {r.Image.Architecture}: {line}");
            }
        }
        if (format == OutputFormat.Json)
        {
            var entries = results.Select(r => Entry(r.Image, r.ManifestPath) with
            {
                Snapshot = r.Upload is { } u ? JsonSerializer.SerializeToElement(u.Snapshot, HcloudJsonContext.Default.Image) : null,
                Skipped = r.Upload?.Skipped,
                Error = r.Error is { } e ? string.Join("; ", Describe(e)) : null,
            });
            await env.IO.Out.WriteLineAsync(JsonSerializer.Serialize<IReadOnlyList<BuildJson>>([.. entries], _json.IReadOnlyListBuildJson));
        }
        else
        {
            var table = new Table("ARCH", "SNAPSHOT", "RESULT", "MANIFEST");
            foreach (var r in results)
            {
                table.Add(r.Image.Architecture, r.Upload?.Snapshot.Id.ToString(CultureInfo.InvariantCulture),
                    r.Upload is null ? "failed" : r.Upload.Skipped ? "reused" : "uploaded", r.ManifestPath);
            }
            table.Write(env.IO.Out);
        }
        var failed = results.Count(r => !r.Succeeded);
        await env.IO.Error.WriteLineAsync(failed == 0
            ? $"{results.Count} of {results.Count} architectures imported"
            : $"{failed} of {results.Count} architectures failed");
        return failed == 0;
    }

    private static BuildJson Entry(TalosImage i, string manifest)
        => new(i.Architecture, manifest, i.SchematicId, i.Version, i.Role, i.Url, i.Labels, i.Description);

    /// <summary>The error's lines as the CLI prints them; a bug keeps its whole text.</summary>
    private static IReadOnlyList<string> Describe(Exception e) => ErrorReport.Describe(e)?.Lines ?? [e.ToString()];
}
