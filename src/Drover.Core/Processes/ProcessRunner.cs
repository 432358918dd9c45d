using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Drover.Core.Processes;

/// <summary>
/// The one place Drover starts programs: an argument list (never a command line for a shell to split), output
/// captured, streamed as bytes or streamed as lines, stdin fed with progress, a time limit, and cancellation that kills
/// the program with its children by its own handle. A missing program is a <see cref="ProgramNotFoundException"/> that
/// names the package to install; <see cref="CheckAsync"/> turns a non-zero exit into a
/// <see cref="ProcessFailedException"/> naming the command and its last output lines.
/// </summary>
public static class ProcessRunner
{
    /// <summary>Searched after <c>PATH</c>: a non-login root shell may lack the sbin directories.</summary>
    public static readonly IReadOnlyList<string> SystemDirectories = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

    /// <summary>How long output may keep coming after the program exited (a daemon it left may hold the pipe open).</summary>
    private static readonly TimeSpan _drainLimit = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The full path of <paramref name="program"/>: itself when it holds a slash, else the first match on
    /// <paramref name="searchPath"/> (default: this process's <c>PATH</c>), then in <paramref name="extraDirectories"/>
    /// (default: <see cref="SystemDirectories"/>). Null when it is not installed.
    /// </summary>
    public static string? Find(string program, IReadOnlyList<string>? extraDirectories = null, string? searchPath = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(program);
        if (program.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(program) ? program : null;
        }
        var path = (searchPath ?? Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        return path.Concat(extraDirectories ?? SystemDirectories).Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);
    }

    /// <summary>Whether <paramref name="program"/> is installed (see <see cref="Find"/>).</summary>
    public static bool IsInstalled(string program) => Find(program) is not null;

    /// <summary>Runs a program to its end and returns what it printed, whatever its exit code.</summary>
    public static async Task<ProcessResult> RunAsync(string program, IEnumerable<string> arguments, ProcessOptions? options = null, CancellationToken cancellationToken = default)
    {
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var (command, exitCode) = await ExecuteAsync(program, arguments, options, p => Task.WhenAll(
            CollectAsync(p.StandardOutput, stdout), CollectAsync(p.StandardError, stderr)), cancellationToken);
        lock (stdout)
        {
            lock (stderr)
            {
                return new ProcessResult(command, exitCode, stdout.ToString(), stderr.ToString());
            }
        }
    }

    /// <summary>Runs a program that must succeed and returns its stdout; a non-zero exit is a <see cref="ProcessFailedException"/>.</summary>
    public static async Task<string> CheckAsync(string program, IEnumerable<string> arguments, ProcessOptions? options = null, CancellationToken cancellationToken = default)
        => (await RunAsync(program, arguments, options, cancellationToken)).EnsureSuccess().Stdout;

    /// <summary>Runs a program, copying its stdout and stderr to the given streams as they come (flushed each time); returns the exit code.</summary>
    public static async Task<int> StreamAsync(string program, IEnumerable<string> arguments, Stream stdout, Stream stderr, ProcessOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var (_, exitCode) = await ExecuteAsync(program, arguments, options, p => Task.WhenAll(
            PumpAsync(p.StandardOutput.BaseStream, stdout), PumpAsync(p.StandardError.BaseStream, stderr)), cancellationToken);
        return exitCode;
    }

    /// <summary>Runs a program, handing each line of its stdout and stderr to <paramref name="line"/> as it comes (one at a time); returns the exit code.</summary>
    public static async Task<int> StreamLinesAsync(string program, IEnumerable<string> arguments, Action<string> line, ProcessOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(line);
        var gate = new Lock();
        async Task ReadAsync(StreamReader reader)
        {
            while (await reader.ReadLineAsync(CancellationToken.None) is { } text)
            {
                lock (gate)
                {
                    line(text);
                }
            }
        }
        var (_, exitCode) = await ExecuteAsync(program, arguments, options, p => Task.WhenAll(ReadAsync(p.StandardOutput), ReadAsync(p.StandardError)), cancellationToken);
        return exitCode;
    }

    /// <summary>
    /// Starts a long-lived program (a VM, a server, a compressor) and hands it over: the caller waits for it, reads the
    /// streams it asked for, and stops it by its own handle. Streams not redirected are inherited.
    /// </summary>
    public static Process Start(string program, IEnumerable<string> arguments, bool redirectInput = false, bool redirectOutput = false, bool redirectError = false,
        string? workingDirectory = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = StartInfo(program, arguments, new ProcessOptions { WorkingDirectory = workingDirectory, Environment = environment }, out _);
        start.RedirectStandardInput = redirectInput;
        start.RedirectStandardOutput = redirectOutput;
        start.RedirectStandardError = redirectError;
        return Launch(start, program);
    }

    /// <summary>A command line as a POSIX shell would read it (program first), for messages and logs.</summary>
    public static string Describe(string program, IEnumerable<string> arguments)
        => string.Join(' ', arguments.Prepend(program).Select(Text.ShellQuote.QuoteIfNeeded));

    private static async Task<(string Command, int ExitCode)> ExecuteAsync(string program, IEnumerable<string> arguments, ProcessOptions? options,
        Func<Process, Task> readOutput, CancellationToken cancellationToken)
    {
        options ??= new ProcessOptions();
        var start = StartInfo(program, arguments, options, out var command);
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Launch(start, program);
        var reading = readOutput(process);
        using var timer = options.Timeout is { } timeout ? new CancellationTokenSource(timeout, options.TimeProvider ?? TimeProvider.System) : null;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer?.Token ?? CancellationToken.None);
        try
        {
            try
            {
                if (options.Input is { } input)
                {
                    await FeedAsync(process, input, options.InputProgress, limit.Token);
                }
            }
            catch (InputFailedException failed)
            {
                // Reading the input failed (a file that went away, a bad sector): the program must not take what it got
                // for all of it. It is stopped, and the input's error comes out.
                Kill(process);
                await process.WaitForExitAsync(CancellationToken.None);
                await Drain(reading);
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failed.InnerException!);
            }
            catch (IOException)
            {
                // The program stopped reading: its exit code and output say why.
            }
            CloseInput(process);
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            await process.WaitForExitAsync(CancellationToken.None);
            await Drain(reading);
            cancellationToken.ThrowIfCancellationRequested();
            throw new ProcessTimeoutException(command, options.Timeout!.Value);
        }
        await Drain(reading);
        return (command, process.ExitCode);
    }

    private static ProcessStartInfo StartInfo(string program, IEnumerable<string> arguments, ProcessOptions options, out string command)
    {
        ArgumentException.ThrowIfNullOrEmpty(program);
        ArgumentNullException.ThrowIfNull(arguments);
        var list = arguments.ToList();
        command = Describe(program, list);
        var start = new ProcessStartInfo(Find(program, options.ExtraSearchDirectories) ?? program)
        {
            UseShellExecute = false,
            WorkingDirectory = options.WorkingDirectory ?? "",
        };
        foreach (var argument in list)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in options.Environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }
        return start;
    }

    private static Process Launch(ProcessStartInfo start, string program)
    {
        try
        {
#pragma warning disable RS0030 // The one place that starts processes.
            return Process.Start(start) ?? throw new ProgramNotFoundException(program);
#pragma warning restore RS0030
        }
        catch (Win32Exception e)
        {
            throw new ProgramNotFoundException(program, e);
        }
    }

    private static void CloseInput(Process process)
    {
        try
        {
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The program closed its end first (what was buffered could not go): its exit code says why.
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited meanwhile.
        }
    }

    private static async Task Drain(Task reading)
        => await Task.WhenAny(reading, Task.Delay(_drainLimit, TimeProvider.System, CancellationToken.None));

    /// <summary>
    /// Copies <paramref name="input"/> into the program's stdin on a thread of its own with blocking reads and writes:
    /// for a stream of gigabytes into a program that reads slower than the file comes (ssh), an async write per pipe-full
    /// cost this project's machine 3-5 times the CPU of the copy itself. Cancellation kills the program, which ends a
    /// write that waits on it.
    /// </summary>
    private static async Task FeedAsync(Process process, Stream input, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var stdin = process.StandardInput.BaseStream;
        var feeding = Task.Factory.StartNew(() => Copy(input, stdin, progress, cancellationToken), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            await feeding.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (!feeding.IsCompleted)
        {
            Kill(process);
            // The copy ends with the program's pipe (or when its input next returns); what it throws then is no news.
            _ = feeding.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            throw;
        }
    }

    private static void Copy(Stream from, Stream to, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 20];
        long total = 0;
        int n;
        while ((n = ReadInput(from, buffer)) > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            to.Write(buffer, 0, n);
            total += n;
            progress?.Report(total);
        }
        to.Flush();
    }

    private static int ReadInput(Stream from, byte[] buffer)
    {
        try
        {
            return from.Read(buffer);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new InputFailedException(e);
        }
    }

    /// <summary>Reading the input failed (as opposed to writing it to a program that stopped reading).</summary>
    private sealed class InputFailedException(Exception inner) : Exception("reading the input failed", inner);

    private static async Task PumpAsync(Stream from, Stream to)
    {
        var buffer = new byte[16 * 1024];
        int n;
        while ((n = await from.ReadAsync(buffer)) > 0)
        {
            await to.WriteAsync(buffer.AsMemory(0, n));
            await to.FlushAsync();
        }
    }

    private static async Task CollectAsync(StreamReader reader, StringBuilder into)
    {
        var buffer = new char[8192];
        int n;
        while ((n = await reader.ReadAsync(buffer)) > 0)
        {
            lock (into)
            {
                into.Append(buffer, 0, n);
            }
        }
    }
}
