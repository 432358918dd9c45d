using System.Diagnostics;
using System.Threading.Channels;

namespace Drover.Cli.Tests;

/// <summary>
/// 'drover ARGS' as a real process of its own (this build's drover.dll, the runner's environment), with its stderr
/// lines as they come, so that a test can SIGKILL it at a chosen point, by its own PID.
/// </summary>
public sealed class DroverProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly List<string> _seen = [];
    private readonly Task<string> _stdout;

    private DroverProcess(Process process)
    {
        _process = process;
        _stdout = process.StandardOutput.ReadToEndAsync();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _lines.Writer.TryComplete();
            }
            else
            {
                _lines.Writer.TryWrite(e.Data);
            }
        };
        process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    /// <summary>Every stderr line read so far.</summary>
    public string Stderr
    {
        get
        {
            lock (_seen)
            {
                return string.Join('\n', _seen);
            }
        }
    }

    public static DroverProcess Start(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "drover.dll"));
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        foreach (var (k, v) in environment)
        {
            start.Environment[k] = v;
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start drover");
        process.StandardInput.Close();
        return new DroverProcess(process);
    }

    /// <summary>Reads stderr until a line matches; throws (with what was read) if the process ends first or the time runs out.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan within, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(within);
        try
        {
            await foreach (var line in _lines.Reader.ReadAllAsync(deadline.Token))
            {
                if (Record(line) && match(line))
                {
                    return line;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no matching line within {within.TotalSeconds:0} s; stderr so far:\n{Stderr}");
        }
        throw new InvalidOperationException($"drover ended (exit {(_process.HasExited ? _process.ExitCode : -1)}) before the line came; stderr:\n{Stderr}");
    }

    /// <summary>SIGKILL by its own PID, and wait until it is gone.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }
        await _process.WaitForExitAsync(CancellationToken.None);
    }

    /// <summary>Waits for the exit; returns the exit code, stdout and every stderr line.</summary>
    public async Task<CliResult> WaitAsync(TimeSpan within, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(within);
        try
        {
            await foreach (var line in _lines.Reader.ReadAllAsync(deadline.Token))
            {
                Record(line);
            }
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await KillAsync();
            throw new TimeoutException($"drover did not finish within {within.TotalSeconds:0} s; stderr:\n{Stderr}");
        }
        return new CliResult(_process.ExitCode, await _stdout, Stderr);
    }

    /// <summary>Keeps a line read from stderr (always true, so it can stand in a condition).</summary>
    private bool Record(string line)
    {
        lock (_seen)
        {
            _seen.Add(line);
        }
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}
