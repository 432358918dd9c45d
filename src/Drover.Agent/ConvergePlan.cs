using System.Text;
using System.Text.RegularExpressions;
using Drover.Core.Nix;
using YamlDotNet.RepresentationModel;

namespace Drover.Agent;

/// <summary>
/// What the user-data asks of the agent: a flake to write to <c>/etc/nix-flake-target</c> and a command to converge with.
/// Read from a <c>#cloud-config</c> (also inside a MIME multipart): the top-level <c>drover: {flake, converge, impure}</c>
/// mapping first, else a <c>write_files</c> entry for <c>/etc/nix-flake-target</c>. Without an explicit command, a flake
/// means <see cref="NixosRebuild"/>'s <c>nixos-rebuild switch --flake REF#HOSTNAME</c>, with <c>--impure</c> when
/// <c>impure: true</c> (so that <c>drover.nixosModules.hcloud</c> can read <c>/etc/hcloud-metadata.json</c>).
/// </summary>
/// <param name="Flake">The flake reference, or null.</param>
/// <param name="Command">The converge command for <c>/bin/sh -c</c>, or null.</param>
/// <param name="Impure">Whether the user-data asked for an impure evaluation (<c>drover.impure: true</c>); it shapes only the default command.</param>
internal sealed partial record ConvergePlan(string? Flake, string? Command, bool Impure = false)
{
    /// <summary>The key of the top-level mapping the agent reads.</summary>
    public const string DroverKey = "drover";

    public static readonly ConvergePlan None = new(null, null);

    public static ConvergePlan From(byte[]? userData, string hostname)
    {
        if (userData is null || userData.Length == 0)
        {
            return None;
        }

        string? flake = null, command = null;
        bool? impure = null;
        foreach (var root in CloudConfigDocuments(userData))
        {
            if (YamlJson.Get(root, DroverKey) is YamlMappingNode drover)
            {
                flake ??= Clean(YamlJson.Text(YamlJson.Get(drover, "flake")));
                command ??= Clean(YamlJson.Text(YamlJson.Get(drover, "converge")));
                impure ??= ReadImpure(YamlJson.Get(drover, "impure"));
            }

            if (flake is null && YamlJson.Get(root, "write_files") is YamlSequenceNode files)
            {
                flake = files.Children
                    .Where(f => YamlJson.Text(YamlJson.Get(f, "path"))?.Trim() == AgentPaths.FlakeTarget)
                    .Select(FileContent).Select(Clean).FirstOrDefault(c => c is not null);
            }
        }

        if (command is null && flake is not null)
        {
            if (NixosRebuild.FlakeRefProblem(flake) is { } problem)
            {
                throw new AgentException($"the user-data's flake cannot be converged with nixos-rebuild: {problem}");
            }

            if (NixosRebuild.HostProblem(hostname) is { } hostProblem)
            {
                throw new AgentException($"the metadata's hostname cannot select the flake's nixosConfigurations: {hostProblem}");
            }

            command = NixosRebuild.Switch(flake, hostname, impure ?? false).CommandLine;
        }

        return new ConvergePlan(flake, command, impure ?? false);
    }

    /// <summary>
    /// The parsed <c>#cloud-config</c> documents of the user-data (base64 decoded as cloud-init does; the
    /// <c>text/cloud-config</c> parts of a MIME multipart); none for a script or nothing.
    /// </summary>
    public static IEnumerable<YamlNode?> CloudConfigDocuments(byte[]? userData)
    {
        if (userData is null || userData.Length == 0)
        {
            yield break;
        }

        var text = Encoding.UTF8.GetString(userData);
        if (!text.StartsWith('#') && !text.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase)
            && DecodeBase64(text) is { } decoded && (decoded.StartsWith('#') || decoded.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase)))
        {
            text = decoded; // cloud-init decodes base64 user-data too
        }

        foreach (var config in CloudConfigs(text))
        {
            yield return YamlJson.Parse(config, "the user-data's #cloud-config");
        }
    }

    /// <summary><c>drover.impure</c>: true, false, or null when unset; anything else is an error naming the key.</summary>
    private static bool? ReadImpure(YamlNode? node) => YamlJson.TryBool(node, out var value)
        ? value
        : throw new AgentException($"the user-data's {DroverKey}.impure must be true or false (a YAML boolean), got {YamlJson.Describe(node!)}");

    /// <summary>The cloud-config documents in the user-data: the whole text, or the <c>text/cloud-config</c> parts of a multipart.</summary>
    private static IEnumerable<string> CloudConfigs(string text)
    {
        if (text.StartsWith("#cloud-config", StringComparison.Ordinal))
        {
            yield return text;
            yield break;
        }

        var boundary = BoundaryRegex().Match(text);
        if (!text.StartsWith("Content-Type: multipart/", StringComparison.OrdinalIgnoreCase) || !boundary.Success)
        {
            yield break;
        }

        var delimiter = "--" + boundary.Groups[1].Value;
        foreach (var part in text.Split(delimiter).Skip(1))
        {
            var normalized = part.Replace("\r\n", "\n", StringComparison.Ordinal);
            var split = normalized.IndexOf("\n\n", StringComparison.Ordinal);
            if (split < 0)
            {
                continue;
            }

            var headers = normalized[..split];
            var body = normalized[(split + 2)..];
            if (ContentTypeRegex().IsMatch(headers) || body.StartsWith("#cloud-config", StringComparison.Ordinal))
            {
                if (Base64PartRegex().IsMatch(headers))
                {
                    body = DecodeBase64(body) ?? throw new AgentException("a base64 cloud-config part of the user-data is not valid base64");
                }

                yield return body;
            }
        }
    }

    private static string? FileContent(YamlNode file)
    {
        var content = YamlJson.Text(YamlJson.Get(file, "content")) ?? "";
        var encoding = YamlJson.Text(YamlJson.Get(file, "encoding"))?.Trim().ToLowerInvariant();
        if (encoding is "b64" or "base64")
        {
            return DecodeBase64(content) ?? throw new AgentException($"write_files entry for {AgentPaths.FlakeTarget} is not valid base64");
        }

        return encoding is null or "text/plain" ? content : throw new AgentException(
            $"write_files entry for {AgentPaths.FlakeTarget} uses encoding '{encoding}', which the agent does not read");
    }

    private static string? DecodeBase64(string text)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(string.Concat(text.Where(c => !char.IsWhiteSpace(c)))));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    [GeneratedRegex("boundary=\"?([^\";\\r\\n]+)\"?", RegexOptions.IgnoreCase)]
    private static partial Regex BoundaryRegex();

    [GeneratedRegex(@"^Content-Transfer-Encoding:\s*base64", RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex Base64PartRegex();

    [GeneratedRegex(@"^Content-Type:\s*text/(text/)?cloud-config", RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex ContentTypeRegex();
}
