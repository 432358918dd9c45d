using Drover.Core.Processes;
using Xunit;

namespace Drover.CloudInit.Tests.Crossplane;

/// <summary>
/// <c>shared/reference/crossplane/</c> (CRDs and <c>validate_cr.py</c>), found by walking up from the test binaries
/// (in CI the clone has <c>shared/</c> beside it), and a <c>python3</c> with <c>jsonschema</c> and <c>yaml</c> to run it.
/// </summary>
internal static class CrossplaneReference
{
    public const string RelativePath = "shared/reference/crossplane";

    private static readonly Lazy<string?> _directory = new(() => Find(AppContext.BaseDirectory));
    private static readonly Lazy<Task<string?>> _pythonProblem = new(CheckPythonAsync);

    public static string Directory => _directory.Value ?? throw new DirectoryNotFoundException(
        $"'{RelativePath}' was not found at or above '{AppContext.BaseDirectory}'. It is present in CI, where the clone has "
        + "'shared/' beside it; locally, put the shared reference directory next to the checkout.");

    public static string? Find(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, RelativePath);
            if (File.Exists(Path.Combine(candidate, "validate_cr.py")))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The CRDs a rendered stream is checked against: XRD and Composition, P&amp;T's input, both providers' namespaced kinds.</summary>
    public static IReadOnlyList<string> Crds =>
    [
        .. new[]
        {
            "core-crds/apiextensions.crossplane.io_compositeresourcedefinitions.yaml",
            "core-crds/apiextensions.crossplane.io_compositions.yaml",
            "functions/pt.fn.crossplane.io_resources.yaml",
            "provider-proxmox-bpg/crds/virtualenvironmentfile.proxmoxbpg.m.crossplane.io_environmentfiles.yaml",
            "provider-proxmox-bpg/crds/virtualenvironmentvm.proxmoxbpg.m.crossplane.io_environmentvms.yaml",
            "provider-hetzner-miaits/crds/server.hetzner.m.crossplane.io_servers.yaml",
        }.Select(p => Path.Combine(Directory, p)),
    ];

    /// <summary>Skips the test (with the reason printed) when no python3 with jsonschema and yaml exists.</summary>
    public static async Task RequirePythonAsync()
    {
        if (await _pythonProblem.Value is { } problem)
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"skipped: {problem}");
            Assert.Skip(problem);
        }
    }

    /// <summary>Runs <c>validate_cr.py CRDS -- MANIFESTS</c>: exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> ValidateAsync(IEnumerable<string> crds, IEnumerable<string> manifests)
    {
        await RequirePythonAsync();
        var result = await ProcessRunner.RunAsync(_python!, [Path.Combine(Directory, "validate_cr.py"), .. crds, "--", .. manifests],
            cancellationToken: TestContext.Current.CancellationToken);
        var output = result.Stdout + result.Stderr;
        TestContext.Current.TestOutputHelper?.WriteLine(output);
        return (result.ExitCode, output);
    }

    /// <summary>The python that has both modules: the one on PATH (a pyenv one, say), else Debian's, which scripts/setup equips.</summary>
    private static string? _python;

    private static async Task<string?> CheckPythonAsync()
    {
        var problems = new List<string>();
        foreach (var python in new[] { "python3", "/usr/bin/python3" })
        {
            try
            {
                var result = await ProcessRunner.RunAsync(python, ["-c", "import jsonschema, yaml"]);
                if (result.Ok)
                {
                    _python = python;
                    return null;
                }
                problems.Add($"{python} lacks jsonschema or yaml: {result.Message}");
            }
            catch (ProgramNotFoundException)
            {
                problems.Add($"no {python}");
            }
        }
        return string.Join("; ", problems) + " (apt-get install python3-jsonschema python3-yaml)";
    }
}
