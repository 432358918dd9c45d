using System.Diagnostics;
using Xunit;

namespace Drover.CloudInit.Tests;

/// <summary>Runs cloud-init's own schema check (<c>cloud-init schema --config-file</c>) over a rendered cloud-config.</summary>
internal static class CloudInitSchema
{
    private static readonly Lazy<string?> _executable = new(Find);

    /// <summary>Skips the test when cloud-init is not installed; fails it with cloud-init's output when the config is invalid.</summary>
    public static void AssertValid(string cloudConfig, string name = "user-data")
    {
        var (exitCode, output) = Check(cloudConfig);
        if (exitCode != 0)
        {
            Assert.Fail($"cloud-init schema rejected {name} (exit {exitCode}):\n{output}\n--- config ---\n{cloudConfig}");
        }
    }

    /// <summary>Runs the check and returns its exit code and combined output.</summary>
    public static (int ExitCode, string Output) Check(string cloudConfig)
    {
        var executable = _executable.Value;
        if (executable is null)
        {
            Assert.Skip("cloud-init is not installed: no 'cloud-init' on PATH (Debian: apt-get install cloud-init)");
        }

        var file = Path.Combine(Path.GetTempPath(), $"drover-schema-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, cloudConfig);
        try
        {
            var start = new ProcessStartInfo(executable)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add("schema");
            start.ArgumentList.Add("--config-file");
            start.ArgumentList.Add(file);
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            process.WaitForExit();
            return (process.ExitCode, stdout.Result + stderr.Result);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static string? Find()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "cloud-init"))
            .FirstOrDefault(File.Exists);
    }
}
