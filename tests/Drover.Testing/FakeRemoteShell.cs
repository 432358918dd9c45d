using Drover.Core.Ssh;

namespace Drover.Testing;

/// <summary>
/// An <see cref="IRemoteShell"/> that answers scripts from rules, in memory: no ssh, no network, no root.
/// Each script is matched against the rules in the order they were added (first match wins); the standard input,
/// if any, is read to its end first (reporting the bytes to <c>sent</c> as a real connection would) and kept in
/// <see cref="Commands"/>. A script no rule matches fails the test with the script in the message.
/// </summary>
/// <example>
/// <code>
/// var shell = new FakeRemoteShell()
///     .On(s => s.StartsWith("test -b"), _ => new ShellResult(0, "plain\n", ""))
///     .On(s => s.Contains("dd "), command => new ShellResult(0, $"drover: received sha256={Sha(command.Stdin)}\n", ""));
/// </code>
/// </example>
public sealed class FakeRemoteShell : IRemoteShell
{
    private readonly Lock _gate = new();
    private readonly List<(Func<string, bool> Match, Func<FakeShellCommand, CancellationToken, Task<ShellResult>> Answer)> _rules = [];
    private readonly List<FakeShellCommand> _commands = [];
    private int _disposals;

    /// <summary>Scripts run so far, with what was fed to them.</summary>
    public IReadOnlyList<FakeShellCommand> Commands
    {
        get
        {
            lock (_gate)
            {
                return [.. _commands];
            }
        }
    }

    /// <summary>How often the shell was disposed (a session closes it exactly once).</summary>
    public int Disposals => Volatile.Read(ref _disposals);

    /// <summary>Answers scripts that <paramref name="match"/> with the result of <paramref name="answer"/>.</summary>
    public FakeRemoteShell On(Func<string, bool> match, Func<FakeShellCommand, ShellResult> answer)
        => On(match, (command, _) => Task.FromResult(answer(command)));

    /// <summary>Answers scripts that <paramref name="match"/> asynchronously (to cancel, throw or wait part-way).</summary>
    public FakeRemoteShell On(Func<string, bool> match, Func<FakeShellCommand, CancellationToken, Task<ShellResult>> answer)
    {
        lock (_gate)
        {
            _rules.Add((match, answer));
        }
        return this;
    }

    public async Task<ShellResult> RunAsync(string script, Stream? stdin, IProgress<long>? sent, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (Disposals > 0)
        {
            throw new InvalidOperationException("the fake remote shell was used after it was disposed");
        }
        byte[]? input = null;
        if (stdin is not null)
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[64 * 1024];
            int read;
            while ((read = await stdin.ReadAsync(chunk, cancellationToken)) > 0)
            {
                buffer.Write(chunk, 0, read);
                sent?.Report(buffer.Length);
            }
            input = buffer.ToArray();
        }
        var command = new FakeShellCommand(script, input);
        Func<FakeShellCommand, CancellationToken, Task<ShellResult>>? answer;
        lock (_gate)
        {
            _commands.Add(command);
            answer = _rules.FirstOrDefault(r => r.Match(script)).Answer;
        }
        return answer is null
            ? throw new InvalidOperationException($"the fake remote shell has no rule for this script:\n{script}")
            : await answer(command, cancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        Interlocked.Increment(ref _disposals);
        return ValueTask.CompletedTask;
    }
}
