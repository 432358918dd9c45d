namespace Drover.Core;

/// <summary>
/// The base of every error Drover reports to its user: the message is complete as it stands (what failed, the file,
/// line or resource, and what to do), so the CLI prints it as it is and maps the type to an exit code in one place.
/// </summary>
public abstract class DroverException : Exception
{
    protected DroverException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>The lines to print, one <c>error:</c> each (a list of diagnostics prints one per line).</summary>
    public virtual IReadOnlyList<string> Lines => [Message];

    /// <summary>Whether the user asked for something impossible (exit code 2) rather than something failing (1).</summary>
    public virtual bool IsUsageError => false;
}
