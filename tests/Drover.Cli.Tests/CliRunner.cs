using Xunit;

namespace Drover.Cli.Tests;

/// <summary>Runs the CLI in process with captured stdout/stderr and a private HOME, so no user config is read.</summary>
public sealed class CliRunner : IDisposable, IAsyncDisposable
{
    private readonly DirectoryInfo _home = Directory.CreateTempSubdirectory("drover-cli-test-");

    public Dictionary<string, string?> Environment { get; } = new();

    public string Home => _home.FullName;

    /// <summary>The clock the CLI measures ages against (default: the system clock).</summary>
    public TimeProvider Time { get; set; } = TimeProvider.System;

    public CliRunner()
    {
        Environment["HOME"] = Home;
        // A temporary directory of its own for what the runner starts (the local cloud, drover processes).
        Environment["TMPDIR"] = Directory.CreateDirectory(Path.Combine(Home, "tmp")).FullName;
        Environment["PATH"] = System.Environment.GetEnvironmentVariable("PATH");
        // 'drover local up' starts this build's drover as the background server.
        Environment["DROVER_SELF"] = Path.Combine(AppContext.BaseDirectory, "drover.dll");
    }

    public async Task<CliResult> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var io = new CliIO(stdout, stderr, new StringReader(""), Environment) { Time = Time };
        var exit = await CliApp.RunAsync(args, io, TestContext.Current.CancellationToken);
        return new CliResult(exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>
    /// Builds share the root file system cache with this machine's user (and the builder tests): only the cloud, the
    /// data and the temporary directory stay private to the runner.
    /// </summary>
    public void ShareRootfsCache()
        => Environment["XDG_CACHE_HOME"] = System.Environment.GetEnvironmentVariable("XDG_CACHE_HOME")
            ?? Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".cache");

    /// <summary>Stops the runner's local cloud if it started one ('drover local down', by its PID), then deletes the HOME.</summary>
    public async ValueTask DisposeAsync()
    {
        if (File.Exists(Path.Combine(Home, ".local", "share", "drover", "local", "local.json")))
        {
            await RunAsync("local", "down");
        }
        Dispose();
    }

    public void Dispose()
    {
        try
        {
            _home.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A background server may still be writing its log; the temp dir is cleaned by the OS.
        }
    }
}

public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}
