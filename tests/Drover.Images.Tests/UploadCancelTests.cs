using Drover.Hcloud.Contracts;
using Drover.Images.Upload;
using Drover.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Shouldly;
using Xunit;

namespace Drover.Images.Tests;

/// <summary>
/// A cancellation that lands while a create request is in flight: the API has made the resource, the client never saw
/// the answer. The upload must find it by its run's name and delete it. API-only local cloud, in memory.
/// </summary>
public sealed class UploadCancelTests : IAsyncLifetime, IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("drover-upload-cancel-");
    private TestLocalCloud _cloud = null!;

    public async ValueTask InitializeAsync() => _cloud = await TestLocalCloud.StartInMemoryAsync();

    public async ValueTask DisposeAsync() => await _cloud.DisposeAsync();

    public void Dispose() => _dir.Delete(recursive: true);

    [Theory]
    [InlineData("/ssh_keys")]
    [InlineData("/servers")]
    public async Task A_create_cancelled_after_the_api_made_the_resource_leaves_nothing(string path)
    {
        // Arrange
        var image = Path.Combine(_dir.FullName, "image.raw");
        await File.WriteAllBytesAsync(image, new byte[1 << 20], TestContext.Current.CancellationToken);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var cutter = default(CancelAfterResponse);
        var client = _cloud.CreateClient(wrap: inner => cutter = new CancelAfterResponse(inner, HttpMethod.Post, path, cts));
        var uploader = new ImageUploader(client, NullLogger<ImageUploader>.Instance);

        // Act
        await Should.ThrowAsync<OperationCanceledException>(() => uploader.UploadAsync(new UploadOptions
        {
            AllowUnscanned = true,
            ImagePath = image,
            Architecture = Architecture.X86,
        }, null, cts.Token));

        // Assert
        cutter!.Cut.ShouldBeTrue($"POST {path} was answered by the cloud and then cancelled");
        var ct = TestContext.Current.CancellationToken;
        (await client.Servers.ListAsync(cancellationToken: ct).ToListAsync(ct)).ShouldBeEmpty();
        (await client.SshKeys.ListAsync(cancellationToken: ct).ToListAsync(ct)).ShouldBeEmpty();
    }

    /// <summary>Lets one matching request through to the cloud, then cancels the caller's token and throws as if cut short.</summary>
    private sealed class CancelAfterResponse(HttpMessageHandler inner, HttpMethod method, string pathSuffix, CancellationTokenSource cancel) : DelegatingHandler(inner)
    {
        public bool Cut { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (!Cut && request.Method == method && request.RequestUri!.AbsolutePath.EndsWith(pathSuffix, StringComparison.Ordinal) && response.IsSuccessStatusCode)
            {
                Cut = true;
                response.Dispose();
                await cancel.CancelAsync();
                throw new OperationCanceledException(cancel.Token);
            }
            return response;
        }
    }
}
