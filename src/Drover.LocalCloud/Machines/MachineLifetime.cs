namespace Drover.LocalCloud.Machines;

/// <summary>
/// Owns the machine runtime and the file server for the app's lifetime: on stop (SIGTERM, <c>StopAsync</c>) or dispose,
/// every rescue system is stopped and the file server closed.
/// </summary>
internal sealed class MachineLifetime(MachineRuntime? runtime, FileServer files, MachineSupport support) : IHostedService, IAsyncDisposable
{
    public MachineRuntime? Runtime => runtime;
    public FileServer Files => files;
    public MachineSupport Support => support;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => DisposeAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        await files.DisposeAsync();
        if (runtime is not null)
        {
            await runtime.ShutdownAsync();
        }
    }
}
