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

    /// <summary>
    /// Reads user-data with cloud-init's own <c>UserDataProcessor</c> (the Python behind the <c>cloud-init</c>
    /// script) and returns one line per part: content type, file name, and the payload's length in bytes.
    /// </summary>
    public static string[] ReadParts(string userData)
    {
        var executable = _executable.Value;
        if (executable is null)
        {
            Assert.Skip("cloud-init is not installed: no 'cloud-init' on PATH (Debian: apt-get install cloud-init)");
        }

        var python = File.ReadLines(executable).First().TrimStart('#', '!').Trim();
        const string Script = """
            import sys
            from cloudinit import user_data
            msg = user_data.UserDataProcessor({}).process(open(sys.argv[1], 'rb').read())
            for p in msg.walk():
                if p.get_content_maintype() != 'multipart':
                    print(p.get_content_type(), p.get_filename(), len(p.get_payload(decode=True)))
            """;
        var file = Path.Combine(Path.GetTempPath(), $"drover-userdata-{Guid.NewGuid():N}");
        File.WriteAllText(file, userData);
        try
        {
            var start = new ProcessStartInfo(python.Split(' ')[0])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in python.Split(' ').Skip(1).Concat(["-c", Script, file]))
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                Assert.Fail($"cloud-init could not read the user-data (exit {process.ExitCode}):\n{stderr.Result}");
            }

            return stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries);
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
