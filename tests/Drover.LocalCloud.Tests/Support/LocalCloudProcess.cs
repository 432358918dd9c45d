using System.Diagnostics;
using System.Text.Json;
using Shouldly;
using Xunit;

namespace Drover.LocalCloud.Tests.Support;

/// <summary>The standalone local cloud (Drover.LocalCloud.dll) as a process of its own on a state directory, killed by its own handle.</summary>
public sealed class LocalCloudProcess : IAsyncDisposable
{
    /// <summary>How long a start may take before the test gives up (generous: it guards against hangs, it measures nothing).</summary>
    private static readonly TimeSpan _hangGuard = TimeSpan.FromMinutes(3);

    private readonly Process _process;

    private LocalCloudProcess(Process process, Uri endpoint, string token)
    {
        _process = process;
        Endpoint = endpoint;
        Token = token;
    }

    public Uri Endpoint { get; }
    public string Token { get; }
    public int Pid => _process.Id;

    /// <summary>Starts it and waits until its ready file names its endpoint.</summary>
    public static async Task<LocalCloudProcess> StartAsync(string stateDirectory, string machines)
    {
        Directory.CreateDirectory(stateDirectory);
        var readyFile = Path.Combine(stateDirectory, $"ready-{Guid.NewGuid():N}.json");
        var token = LocalCloudOptions.NewToken();
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])[Path.Combine(AppContext.BaseDirectory, "Drover.LocalCloud.dll"), "--state-dir", stateDirectory, "--ready-file", readyFile, "--action-duration-ms", "100", "--machines", machines])
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["DROVER_LOCAL_TOKEN"] = token;
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        // A hang guard, not a speed check: a process that never gets ready fails the test instead of stalling the run.
        using var hang = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        hang.CancelAfter(_hangGuard);
        while (!File.Exists(readyFile))
        {
            process.HasExited.ShouldBeFalse("the local cloud process exited before it was ready");
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), hang.Token);
            }
            catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
            {
                process.Kill();
                throw new TimeoutException($"the local cloud process (pid {process.Id}) wrote no ready file in {_hangGuard.TotalMinutes:0} minutes; it was killed");
            }
        }
        var ready = JsonSerializer.Deserialize(await File.ReadAllTextAsync(readyFile, TestContext.Current.CancellationToken), ReadyJsonContext.Default.ReadyInfo)!;
        File.Delete(readyFile);
        return new LocalCloudProcess(process, new Uri(ready.Endpoint), token);
    }

    /// <summary>SIGKILL, by its own handle, and wait until it is gone.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }
        await _process.WaitForExitAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}
