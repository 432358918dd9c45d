using System.Text.Json;
using Drover.Core.Processes;

namespace Drover.Testing;

/// <summary>
/// A private copy of Drover's flake (<c>flake.nix</c>, <c>nix/</c>) and of <c>examples/nixos-fleet</c> in a temporary
/// directory, locked once against the offline nixpkgs of <see cref="NixSnapshot"/> (<c>path:</c> inputs, as the recipe
/// says), with its own HOME and Nix caches and no substituter (so a build fails at once instead of retrying
/// cache.nixos.org). Share one per test class or collection: locking and the first evaluation are the slow part.
/// </summary>
public sealed class NixWorkspace : IAsyncDisposable
{
    private readonly DirectoryInfo _root;

    private NixWorkspace(DirectoryInfo root, string nix)
    {
        _root = root;
        Nix = nix;
        Drover = Path.Combine(root.FullName, "drover");
        Fleet = Path.Combine(root.FullName, "fleet");
        var home = Directory.CreateDirectory(Path.Combine(root.FullName, "home")).FullName;
        Environment = new Dictionary<string, string?>
        {
            ["HOME"] = home,
            ["XDG_CACHE_HOME"] = Path.Combine(home, ".cache"),
            ["NIX_CONFIG"] = "experimental-features = nix-command flakes\nsubstituters =",
            ["NIX_PATH"] = null,
            ["HCLOUD_METADATA_FILE"] = null,
        };
    }

    /// <summary>The <c>nix</c> executable.</summary>
    public string Nix { get; }

    /// <summary>The workspace's directory.</summary>
    public string Root => _root.FullName;

    /// <summary>The copy of Drover's flake.</summary>
    public string Drover { get; }

    /// <summary>The copy of <c>examples/nixos-fleet</c>, locked with <c>nixpkgs</c> and <c>drover</c> pointing at the copies.</summary>
    public string Fleet { get; }

    /// <summary>The environment every nix run gets (on top of this process's).</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; }

    /// <summary>The repository's root (it has <c>Drover.slnx</c>).</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Drover.slnx")))
                {
                    return dir.FullName;
                }
            }
            throw new InvalidOperationException($"no Drover.slnx above {AppContext.BaseDirectory}");
        }
    }

    /// <summary>Copies and locks; no workspace but the reason when Nix or the snapshot is missing.</summary>
    public static async Task<(NixWorkspace? Workspace, string? SkipReason)> CreateAsync(CancellationToken cancellationToken = default)
    {
        if (NixSnapshot.SkipReason() is { } reason)
        {
            return (null, reason);
        }
        var root = Directory.CreateTempSubdirectory("drover-nix-");
        var workspace = new NixWorkspace(root, NixSnapshot.Nix!);
        var repository = RepositoryRoot;
        Directory.CreateDirectory(workspace.Drover);
        File.Copy(Path.Combine(repository, "flake.nix"), Path.Combine(workspace.Drover, "flake.nix"));
        CopyTree(Path.Combine(repository, "nix"), Path.Combine(workspace.Drover, "nix"));
        CopyTree(Path.Combine(repository, "examples", "nixos-fleet"), workspace.Fleet);
        File.Delete(Path.Combine(workspace.Fleet, "flake.lock"));
        await workspace.LockAsync(workspace.Fleet, cancellationToken);
        return (workspace, null);
    }

    /// <summary><c>nix flake lock</c> in <paramref name="flakeDirectory"/> with <c>nixpkgs</c> (and <c>drover</c>, where declared) on the copies.</summary>
    public async Task LockAsync(string flakeDirectory, CancellationToken cancellationToken = default)
    {
        var args = new List<string> { "flake", "lock", "--override-input", "nixpkgs", "path:" + NixSnapshot.Nixpkgs2020 };
        if (File.ReadAllText(Path.Combine(flakeDirectory, "flake.nix")).Contains("drover.url", StringComparison.Ordinal))
        {
            args.AddRange(["--override-input", "drover", "path:" + Drover]);
        }
        await CheckAsync(flakeDirectory, args, null, cancellationToken);
    }

    /// <summary>Runs nix in <paramref name="directory"/>; <paramref name="extra"/> adds to (or, with null values, removes from) <see cref="Environment"/>.</summary>
    public Task<ProcessResult> RunAsync(string directory, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? extra = null, CancellationToken cancellationToken = default)
    {
        var environment = new Dictionary<string, string?>(Environment);
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>())
        {
            environment[k] = v;
        }
        return ProcessRunner.RunAsync(Nix, args, new ProcessOptions { WorkingDirectory = directory, Environment = environment }, cancellationToken);
    }

    /// <summary>Runs nix and returns its stdout, or throws with its stderr.</summary>
    public async Task<string> CheckAsync(string directory, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? extra = null, CancellationToken cancellationToken = default)
    {
        var result = await RunAsync(directory, args, extra, cancellationToken);
        return result.Ok ? result.Stdout : throw new InvalidOperationException($"{result.Command} exited {result.ExitCode}:\n{result.Stderr}");
    }

    /// <summary><c>nix eval --json DIR#ATTR [--apply FN] [--impure]</c>, parsed.</summary>
    public async Task<JsonElement> EvalJsonAsync(string directory, string attribute, string? apply = null, bool impure = false,
        IReadOnlyDictionary<string, string?>? extra = null, CancellationToken cancellationToken = default)
    {
        var args = new List<string> { "eval", "--json", $"{directory}#{attribute}" };
        if (apply is not null)
        {
            args.AddRange(["--apply", apply]);
        }
        if (impure)
        {
            args.Add("--impure");
        }
        using var doc = JsonDocument.Parse(await CheckAsync(directory, args, extra, cancellationToken));
        return doc.RootElement.Clone();
    }

    public ValueTask DisposeAsync()
    {
        _root.Delete(recursive: true);
        return ValueTask.CompletedTask;
    }

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
