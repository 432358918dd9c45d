using System.Runtime.CompilerServices;
using System.Xml.Linq;
using Shouldly;
using Xunit;

namespace Drover.Core.Tests;

/// <summary>
/// The dependency rules of docs/ARCHITECTURE.md, read from the project files: each project references only what its
/// layer allows, and only Drover.Core starts processes.
/// </summary>
public sealed class ArchitectureTests
{
    /// <summary>What each project under src/ may reference (a project may use fewer).</summary>
    private static readonly Dictionary<string, string[]> _allowed = new()
    {
        ["Drover.Core"] = [],
        ["Drover.Hcloud"] = ["Drover.Core"],
        ["Drover.Proxmox"] = ["Drover.Core"],
        ["Drover.CloudInit"] = ["Drover.Core"],
        ["Drover.Agent"] = ["Drover.Core"],
        ["Drover.Images"] = ["Drover.Core", "Drover.Hcloud", "Drover.Proxmox"],
        ["Drover.Fleet"] = ["Drover.Core", "Drover.Hcloud", "Drover.Proxmox", "Drover.CloudInit"],
        ["Drover.LocalCloud"] = ["Drover.Core", "Drover.Hcloud", "Drover.Proxmox"],
        ["Drover.Demo"] = ["Drover.Core", "Drover.Hcloud", "Drover.Proxmox", "Drover.CloudInit", "Drover.Images", "Drover.Fleet"],
        ["Drover.Cli"] = ["Drover.Core", "Drover.Hcloud", "Drover.Proxmox", "Drover.CloudInit", "Drover.Images", "Drover.Fleet", "Drover.Demo", "Drover.LocalCloud", "Drover.Agent"],
    };

    private static string Src([CallerFilePath] string here = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "src"));

    [Fact]
    public void Every_project_references_only_what_its_layer_allows()
    {
        var projects = Directory.GetDirectories(Src()).Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal).ToList();
        projects.ShouldBe(_allowed.Keys.Order(StringComparer.Ordinal).ToList(), "a new project under src/ needs its place in docs/ARCHITECTURE.md and in this test");
        foreach (var project in projects)
        {
            var file = Path.Combine(Src(), project, project + ".csproj");
            var references = XDocument.Load(file).Descendants("ProjectReference")
                .Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/')));
            references.Except(_allowed[project]).ShouldBeEmpty($"{file} references projects its layer may not use");
        }
    }

    [Fact]
    public void Only_Drover_Core_starts_processes()
    {
        var starters = Directory.EnumerateFiles(Src(), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(f => !f.StartsWith(Path.Combine(Src(), "Drover.Core") + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .Where(f => File.ReadAllText(f).Contains("new ProcessStartInfo", StringComparison.Ordinal) || File.ReadAllText(f).Contains("new Process(", StringComparison.Ordinal))
            .ToList();
        starters.ShouldBeEmpty("start programs through Drover.Core.Processes.ProcessRunner");
    }
}
