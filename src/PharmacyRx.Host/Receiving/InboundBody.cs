using System.Buffers;
using System.Security.Cryptography;

namespace PharmacyRx.Host.Receiving;

/// <summary>
/// A request body read as a stream: held in a pooled buffer up to the accepted size, and past it only hashed, with
/// its first bytes kept, so a body over the cap never costs more memory than <see cref="ReceiptPipeline.TooLargeKeptBytes"/>
/// (DESIGN.md, "Trust boundaries": a sender cannot fill the disk or the memory). Dispose returns the buffer.
/// </summary>
internal sealed class InboundBody : IDisposable
{
    private const int InitialSize = 16 * 1024;
    private const int ScratchSize = 64 * 1024;
    private const int UnknownLengthInMemory = 1024 * 1024;
    private byte[]? _buffer;

    private InboundBody(byte[] buffer, int count, long length, bool tooLarge, string sha256)
    {
        _buffer = buffer;
        Count = count;
        Length = length;
        IsTooLarge = tooLarge;
        Sha256 = sha256;
    }

    private int Count { get; }

    /// <summary>Bytes read in all.</summary>
    public long Length { get; }

    /// <summary>True when the body is over the accepted size; then only <see cref="Bytes"/>' first bytes are kept.</summary>
    public bool IsTooLarge { get; }

    /// <summary>The SHA-256 of everything read, as lower-case hex.</summary>
    public string Sha256 { get; }

    /// <summary>The whole body, or for a body over the cap its first bytes.</summary>
    public ReadOnlyMemory<byte> Bytes => _buffer.AsMemory(0, Count);

    /// <summary>
    /// Reads <paramref name="body"/> to its end. A body over <paramref name="limit"/> bytes is hashed, not held; a read
    /// that fails on the server's own cap (<see cref="InboundOptions.MaxStreamedBytes"/>) ends it as too large.
    /// </summary>
    public static async Task<InboundBody> ReadAsync(Stream body, long? declaredLength, int limit, int keep, string spillFolder, CancellationToken cancellationToken)
    {
        if (declaredLength is null)
        {
            return await ReadUnknownLengthAsync(body, limit, keep, spillFolder, cancellationToken);
        }
        var pool = ArrayPool<byte>.Shared;
        var tooLarge = declaredLength > limit;
        var buffer = pool.Rent(tooLarge ? keep : (int)Math.Clamp(declaredLength ?? InitialSize, 1, (long)limit + 1));
        byte[]? scratch = null;
        var count = 0;
        long length = 0;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        try
        {
            while (true)
            {
                if (!tooLarge && count == buffer.Length)
                {
                    var larger = pool.Rent((int)Math.Min((long)buffer.Length * 2, (long)limit + 1));
                    buffer.AsSpan(0, count).CopyTo(larger);
                    pool.Return(buffer);
                    buffer = larger;
                }
                var intoBuffer = !tooLarge || count < Math.Min(keep, buffer.Length);
                var target = !tooLarge ? buffer.AsMemory(count)
                    : intoBuffer ? buffer.AsMemory(count, Math.Min(keep, buffer.Length) - count)
                    : (scratch ??= pool.Rent(ScratchSize)).AsMemory();
                if (await ReadOrCappedAsync(body, target, cancellationToken) is not { } read)
                {
                    tooLarge = true;
                    break;
                }
                if (read == 0)
                {
                    break;
                }
                hash.AppendData(target.Span[..read]);
                length += read;
                if (intoBuffer)
                {
                    count += read;
                }
                tooLarge |= length > limit;
            }
            return new InboundBody(buffer, tooLarge ? Math.Min(count, keep) : count, length, tooLarge, Convert.ToHexStringLower(hash.GetHashAndReset()));
        }
        catch
        {
            pool.Return(buffer);
            throw;
        }
        finally
        {
            if (scratch is not null)
            {
                pool.Return(scratch);
            }
        }
    }

    /// <summary>
    /// A body without a declared length (chunked): its first <see cref="UnknownLengthInMemory"/> bytes are held, the rest
    /// is written to an owner-only file in <paramref name="spillFolder"/> (deleted on close) until it is known to fit,
    /// so a body over the cap never holds more memory than that, however many arrive at once.
    /// </summary>
    private static async Task<InboundBody> ReadUnknownLengthAsync(Stream body, int limit, int keep, string spillFolder, CancellationToken cancellationToken)
    {
        var pool = ArrayPool<byte>.Shared;
        var head = pool.Rent(Math.Max(keep, Math.Min(UnknownLengthInMemory, limit + 1)));
        var count = 0;
        long length = 0;
        var tooLarge = false;
        FileStream? spill = null;
        byte[]? scratch = null;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        try
        {
            while (true)
            {
                var target = count < head.Length ? head.AsMemory(count) : (scratch ??= pool.Rent(ScratchSize)).AsMemory();
                if (await ReadOrCappedAsync(body, target, cancellationToken) is not { } read)
                {
                    tooLarge = true;
                    break;
                }
                if (read == 0)
                {
                    break;
                }
                hash.AppendData(target.Span[..read]);
                length += read;
                tooLarge |= length > limit;
                if (count < head.Length)
                {
                    count += read;
                }
                else if (!tooLarge)
                {
                    spill ??= OpenSpill(spillFolder);
                    await spill.WriteAsync(target[..read], cancellationToken);
                }
            }
            var sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (tooLarge || spill is null)
            {
                return new InboundBody(head, tooLarge ? Math.Min(count, keep) : count, length, tooLarge, sha256);
            }
            var whole = pool.Rent((int)length);
            head.AsSpan(0, count).CopyTo(whole);
            spill.Position = 0;
            await spill.ReadExactlyAsync(whole.AsMemory(count, (int)length - count), cancellationToken);
            pool.Return(head);
            return new InboundBody(whole, (int)length, length, false, sha256);
        }
        catch
        {
            pool.Return(head);
            throw;
        }
        finally
        {
            if (scratch is not null)
            {
                pool.Return(scratch);
            }
            if (spill is not null)
            {
                await spill.DisposeAsync();
            }
        }
    }

    /// <summary>One read; null when the server's own cap (<see cref="InboundOptions.MaxStreamedBytes"/>) ended the body: what was read stands for it.</summary>
    private static async Task<int?> ReadOrCappedAsync(Stream body, Memory<byte> target, CancellationToken cancellationToken)
    {
        try
        {
            return await body.ReadAsync(target, cancellationToken);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }
    }

    private static FileStream OpenSpill(string folder)
    {
        OwnerOnlyFiles.CreateFolder(folder);
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite, Share = FileShare.None,
            Options = FileOptions.DeleteOnClose | FileOptions.Asynchronous,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnlyFiles.FileMode;
        }
        return new FileStream(Path.Combine(folder, $"{Guid.NewGuid():N}.part"), options);
    }

    public void Dispose()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
