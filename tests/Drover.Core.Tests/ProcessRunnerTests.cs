using System.Text;
using Drover.Core.Processes;
using Shouldly;
using Xunit;

namespace Drover.Core.Tests;

public sealed class ProcessRunnerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Arguments_reach_the_program_as_they_are_without_a_shell_splitting_them()
    {
        var result = await ProcessRunner.RunAsync("/bin/sh", ["-c", "printf '%s\\n' \"$@\"", "sh", "two words", "it's", "$HOME", ""], cancellationToken: Ct);

        result.Ok.ShouldBeTrue(result.Stderr);
        result.Stdout.ShouldBe("two words\nit's\n$HOME\n\n");
    }

    [Fact]
    public async Task A_failing_program_is_named_with_its_exit_code_and_last_lines()
    {
        var error = await Should.ThrowAsync<ProcessFailedException>(() => ProcessRunner.CheckAsync("/bin/sh", ["-c", "echo one >&2; echo two >&2; exit 3"], cancellationToken: Ct));

        error.Result.ExitCode.ShouldBe(3);
        error.Message.ShouldBe("'/bin/sh -c 'echo one >&2; echo two >&2; exit 3'' failed (exit 3): one | two");
        error.ShouldBeAssignableTo<DroverException>();
    }

    [Theory]
    [InlineData("/usr/bin/qemu-img", "qemu-utils")]
    [InlineData("ssh-keygen", "openssh-client")]
    [InlineData("mmdebstrap", "mmdebstrap")]
    public void A_missing_program_names_the_package_that_has_it(string program, string package)
        => new ProgramNotFoundException(program).Message.ShouldBe($"{program} is needed but not installed (install {package})");

    [Fact]
    public async Task A_program_that_is_not_installed_anywhere_is_a_program_not_found_error()
    {
        var error = await Should.ThrowAsync<ProgramNotFoundException>(() => ProcessRunner.RunAsync("drover-no-such-program", [], cancellationToken: Ct));

        error.Program.ShouldBe("drover-no-such-program");
        error.Message.ShouldBe("drover-no-such-program is needed but not installed");
    }

    [Fact]
    public async Task Stdin_is_fed_with_progress_and_output_streams_as_bytes()
    {
        var input = new MemoryStream(Encoding.ASCII.GetBytes(new string('x', 300_000)));
        var reported = new List<long>();
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();

        var exit = await ProcessRunner.StreamAsync("/bin/sh", ["-c", "wc -c; echo done >&2"], stdout, stderr,
            new ProcessOptions { Input = input, InputProgress = new SyncProgress(reported) }, Ct);

        exit.ShouldBe(0);
        Encoding.ASCII.GetString(stdout.ToArray()).Trim().ShouldBe("300000");
        Encoding.ASCII.GetString(stderr.ToArray()).ShouldBe("done\n");
        reported.ShouldNotBeEmpty();
        reported[^1].ShouldBe(300_000);
    }

    /// <summary>Endless input: a program that never reads it leaves the feeding thread blocked in a pipe write.</summary>
    private sealed class Endless : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => 0; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => count;
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public async Task Cancelling_while_stdin_is_blocked_on_a_program_that_does_not_read_kills_it_and_ends()
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        var run = ProcessRunner.StreamAsync("/bin/sh", ["-c", "echo started; exec sleep 60"], stdout, stderr, new ProcessOptions { Input = new Endless() }, cancel.Token);
        while (stdout.Length == 0 && !run.IsCompleted)
        {
            await Task.Delay(20, Ct);
        }

        await cancel.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(() => run);
    }

    [Fact]
    public async Task A_program_that_stops_reading_its_input_early_gives_its_exit_code_not_an_error()
    {
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();

        var exit = await ProcessRunner.StreamAsync("/bin/sh", ["-c", "head -c 10 >/dev/null; exit 7"], stdout, stderr, new ProcessOptions { Input = new Endless() }, Ct);

        exit.ShouldBe(7);
    }

    /// <summary>Input that gives <c>good</c> bytes, then fails as a file that went away or a bad sector would.</summary>
    private sealed class Failing(int good, Exception error, Func<bool>? failWhen = null) : Stream
    {
        private int _left = good;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => 0; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_left == 0)
            {
                for (var i = 0; i < 1000 && failWhen?.Invoke() == false; i++)
                {
                    Thread.Sleep(10);
                }
                throw error;
            }
            var n = Math.Min(count, _left);
            Array.Fill(buffer, (byte)'x', offset, n);
            _left -= n;
            return n;
        }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    public static TheoryData<string> InputErrors => ["io", "other"];

    [Theory]
    [MemberData(nameof(InputErrors))]
    public async Task When_reading_the_input_fails_the_program_is_killed_and_the_inputs_error_comes_out(string kind)
    {
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        var dir = Directory.CreateTempSubdirectory("drover-runner-");
        var pidFile = Path.Combine(dir.FullName, "pid");
        Exception failure = kind == "io" ? new IOException("the image went away") : new InvalidDataException("not an image");
        var input = new Failing(100_000, failure, () => File.Exists(pidFile) && new FileInfo(pidFile).Length > 0);

        try
        {
            // The shell writes its PID, then counts its input: it must neither wait for more forever nor report the
            // 100000 bytes it got as the whole.
            var error = await Should.ThrowAsync<Exception>(() => ProcessRunner.StreamAsync("/bin/sh",
                ["-c", $"echo $$ > {pidFile}; exec wc -c"], stdout, stderr, new ProcessOptions { Input = input }, Ct));

            error.ShouldBeSameAs(failure);
            stdout.Length.ShouldBe(0);
            var pid = File.ReadAllText(pidFile).Trim();
            Directory.Exists($"/proc/{pid}").ShouldBeFalse($"the program (PID {pid}) was left running");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Lines_of_stdout_and_stderr_come_one_at_a_time()
    {
        var lines = new List<string>();

        var exit = await ProcessRunner.StreamLinesAsync("/bin/sh", ["-c", "echo a; echo b >&2; echo c; exit 4"], lines.Add, cancellationToken: Ct);

        exit.ShouldBe(4);
        lines.Order(StringComparer.Ordinal).ShouldBe(["a", "b", "c"]);
    }

    [Fact]
    public async Task Environment_and_working_directory_are_the_ones_given()
    {
        var dir = Directory.CreateTempSubdirectory("drover-runner-test-");
        try
        {
            Environment.SetEnvironmentVariable("DROVER_RUNNER_TEST_REMOVED", "present");
            var result = await ProcessRunner.RunAsync("/bin/sh", ["-c", "pwd; echo \"$A\"; echo \"${DROVER_RUNNER_TEST_REMOVED-unset}\""], new ProcessOptions
            {
                WorkingDirectory = dir.FullName,
                Environment = new Dictionary<string, string?> { ["A"] = "b c", ["DROVER_RUNNER_TEST_REMOVED"] = null },
            }, Ct);

            result.Stdout.ShouldBe($"{dir.FullName}\nb c\nunset\n");
        }
        finally
        {
            Environment.SetEnvironmentVariable("DROVER_RUNNER_TEST_REMOVED", null);
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Cancellation_kills_the_program_and_its_children()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var pidFile = Path.Combine(Path.GetTempPath(), $"drover-runner-child-{Guid.NewGuid():N}");
        var run = ProcessRunner.RunAsync("/bin/sh", ["-c", "sleep 600 & echo $! > \"$0\"; wait", pidFile], cancellationToken: cts.Token);
        while (!File.Exists(pidFile) || File.ReadAllText(pidFile).Trim().Length == 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System, Ct);
        }
        var child = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);

        await cts.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(() => run);
        File.Delete(pidFile);
        IsAlive(child).ShouldBeFalse("the child was killed with its parent");
    }

    [Fact]
    public async Task A_time_limit_kills_the_program_and_says_so()
    {
        var time = new ManualTime();
        var run = ProcessRunner.RunAsync("/bin/sh", ["-c", "exec sleep 600"], new ProcessOptions { Timeout = TimeSpan.FromSeconds(30), TimeProvider = time }, Ct);

        time.Advance(TimeSpan.FromSeconds(31));

        var error = await Should.ThrowAsync<ProcessTimeoutException>(() => run);
        error.Message.ShouldBe("'/bin/sh -c 'exec sleep 600'' did not finish within 30 s");
    }

    [Fact]
    public void Find_looks_on_the_search_path_then_in_the_extra_directories()
    {
        ProcessRunner.Find("sh", extraDirectories: [], searchPath: "/nonexistent").ShouldBeNull();
        ProcessRunner.Find("sh", extraDirectories: ["/bin"], searchPath: "/nonexistent").ShouldBe("/bin/sh");
        ProcessRunner.Find("/bin/sh").ShouldBe("/bin/sh");
        ProcessRunner.Find("/nonexistent/sh").ShouldBeNull();
    }

    /// <summary>Whether a process runs: a killed one is gone, or a zombie until whoever adopted it reaps it.</summary>
    private static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Records reports on the reporting thread (Progress&lt;T&gt; would post them later).</summary>
    private sealed class SyncProgress(List<long> into) : IProgress<long>
    {
        public void Report(long value)
        {
            lock (into)
            {
                into.Add(value);
            }
        }
    }

    /// <summary>A clock that moves only when told; its timers fire on <see cref="Advance"/>.</summary>
    private sealed class ManualTime : TimeProvider
    {
        private readonly List<(DateTimeOffset Due, TimerCallback Callback, object? State)> _timers = [];
        private DateTimeOffset _now = DateTimeOffset.UnixEpoch;

        public override DateTimeOffset GetUtcNow() => _now;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            lock (_timers)
            {
                _timers.Add((_now + dueTime, callback, state));
            }
            return new NoTimer();
        }

        public void Advance(TimeSpan by)
        {
            _now += by;
            List<(DateTimeOffset Due, TimerCallback Callback, object? State)> due;
            lock (_timers)
            {
                due = [.. _timers.Where(t => t.Due <= _now)];
                _timers.RemoveAll(t => t.Due <= _now);
            }
            foreach (var (_, callback, state) in due)
            {
                callback(state);
            }
        }

        private sealed class NoTimer : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => false;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
