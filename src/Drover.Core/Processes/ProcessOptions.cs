namespace Drover.Core.Processes;

/// <summary>How <see cref="ProcessRunner"/> runs a program; every property is optional.</summary>
public sealed record ProcessOptions
{
    /// <summary>Variables set (or, with a null value, removed) on top of this process's environment.</summary>
    public IReadOnlyDictionary<string, string?>? Environment { get; init; }

    /// <summary>The working directory; this process's by default.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>After this long the program is killed (with its children) and a <see cref="ProcessTimeoutException"/> thrown.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>
    /// What the program reads on stdin; nothing (an immediate end of input) by default. If reading it fails, the program
    /// is killed and that error comes out of the run: a program never takes part of its input for all of it.
    /// </summary>
    public Stream? Input { get; init; }

    /// <summary>Hears how many bytes of <see cref="Input"/> went in so far.</summary>
    public IProgress<long>? InputProgress { get; init; }

    /// <summary>
    /// Where to look for the program besides <c>PATH</c>: by default the sbin and bin directories that a non-login root
    /// shell may lack (<c>ip</c>, <c>losetup</c>, <c>sshd</c>). Empty to search <c>PATH</c> alone.
    /// </summary>
    public IReadOnlyList<string>? ExtraSearchDirectories { get; init; }

    /// <summary>The clock for <see cref="Timeout"/>.</summary>
    public TimeProvider? TimeProvider { get; init; }
}
