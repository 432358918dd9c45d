using Drover.Hcloud;
using Drover.Hcloud.Contracts;
using Drover.LocalCloud.Http;

namespace Drover.LocalCloud.State;

public sealed partial class LocalCloudState
{
    public IReadOnlyList<Image> Images() => [.. _doc.Images];

    public Image GetImage(long id) => _doc.Images.FirstOrDefault(i => i.Id == id) ?? throw ApiException.NotFound("image");

    public Image UpdateImage(long id, UpdateImageRequest request)
    {
        var image = GetImage(id);
        if (image.Type != ImageType.Snapshot && image.Type != ImageType.Backup)
        {
            throw new ApiException(403, ErrorCode.Forbidden, $"{image.Type} images cannot be modified");
        }
        if (request.Type is { } type && type != "snapshot")
        {
            throw Invalid("type", "only 'snapshot' is allowed (to convert a backup)");
        }
        ValidateLabels(request.Labels);
        var updated = image with
        {
            Description = request.Description ?? image.Description,
            Labels = request.Labels ?? image.Labels,
            Type = request.Type is null ? image.Type : ImageType.Snapshot,
            BoundTo = request.Type is null ? image.BoundTo : null,
        };
        Replace(_doc.Images, i => i.Id == id, updated);
        return updated;
    }

    public void DeleteImage(long id)
    {
        var image = GetImage(id);
        if (image.Type != ImageType.Snapshot && image.Type != ImageType.Backup)
        {
            throw new ApiException(403, ErrorCode.Forbidden, $"{image.Type} images cannot be deleted");
        }
        if (image.Protection.Delete)
        {
            throw ApiException.Protected("image");
        }
        _doc.Images.Remove(image);
        _machines?.DeleteImage(id);
        Touch();
    }

    public CloudAction ChangeImageProtection(long id, bool? delete)
    {
        var image = GetImage(id);
        Replace(_doc.Images, i => i.Id == id, image with { Protection = new Protection { Delete = delete ?? image.Protection.Delete } });
        return View(StartAction("change_protection", [new ActionResource { Id = id, Type = "image" }]));
    }

    /// <summary>Adds ready snapshots in bulk (control API, for benchmarks and tests).</summary>
    public IReadOnlyList<Image> SeedSnapshots(int count, string descriptionPrefix, Architecture architecture, IReadOnlyDictionary<string, string> labels, int diskSize = 40)
    {
        ValidateLabels(labels);
        var created = new List<Image>();
        for (var i = 0; i < count; i++)
        {
            var image = new Image
            {
                Id = NextId(),
                Type = ImageType.Snapshot,
                Status = ImageStatus.Available,
                Name = null,
                Description = $"{descriptionPrefix}-{i + 1}",
                ImageSize = 0.8,
                DiskSize = diskSize,
                Created = Now,
                CreatedFrom = null,
                BoundTo = null,
                OsFlavor = "debian",
                OsVersion = "12",
                Labels = labels,
                Architecture = architecture,
            };
            _doc.Images.Add(image);
            created.Add(image);
        }
        return created;
    }

    private void Replace<T>(List<T> list, Predicate<T> match, T value)
    {
        list[list.FindIndex(match)] = value;
        Touch();
    }
}
