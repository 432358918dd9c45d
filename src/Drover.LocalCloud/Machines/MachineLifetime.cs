namespace Drover.LocalCloud.Machines;

/// <summary>
/// Owns the machine runtime, the file server and the metadata service for the app's lifetime: on stop (SIGTERM,
/// <c>StopAsync</c>) or dispose, every rescue system and QEMU is stopped and the listeners closed.
/// </summary>
internal sealed class MachineLifetime(MachineRuntime? runtime, FileServer files, Metadata.MetadataServer metadata, MachineSupport support) : IHostedService, IAsyncDisposable
{
    public MachineRuntime? Runtime => runtime;
    public Metadata.MetadataServer Metadata => metadata;
    public FileServer Files => files;
    /// <summary>The support found at start, with what earlier runs left that no sweep could remove yet.</summary>
    public MachineSupport Support => runtime is { Leftovers.Count: > 0 } r
        ? support with { Leftovers = r.Leftovers, Hint = MachineSupportProbe.LeftoversHint }
        : support;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => DisposeAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        await files.DisposeAsync();
        if (runtime is not null)
        {
            await runtime.ShutdownAsync();
        }
        await metadata.DisposeAsync();
    }
}
