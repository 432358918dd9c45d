namespace Drover.LocalCloud.Machines;

/// <summary>A machine-runtime step failed; the message says which and why (it becomes the failed action's message).</summary>
public sealed class MachineException : Drover.Core.DroverException
{
    public MachineException(string message)
        : base(message)
    {
    }

    public MachineException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
