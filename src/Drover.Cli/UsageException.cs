namespace Drover.Cli;

/// <summary>Bad input from the user: printed without a stack trace, exit code 2.</summary>
public sealed class UsageException(string message) : Drover.Core.DroverException(message)
{
    public override bool IsUsageError => true;
}
