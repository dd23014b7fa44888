using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Threading.Channels;

namespace PharmacyRx.Host.Integrity;

/// <summary>
/// Runs a check over items read one at a time, on every core: the reader fills a bounded queue (so memory holds a few
/// hundred items, whatever the total), one worker a core takes from it. What each worker finds comes back in read order.
/// </summary>
internal static class ParallelChecks
{
    // Items waiting per core: enough to keep the workers busy while the reader waits on the disk.
    private const int QueuedPerCore = 64;

    /// <summary>
    /// The problems <paramref name="check"/> finds, in the order the items were read. Each worker has its own cache of
    /// public keys by signer thumbprint (taking a key out of a certificate costs more than a verify).
    /// </summary>
    public static async Task<IReadOnlyList<string>> RunAsync<T>(
        IAsyncEnumerable<T> items, Func<T, Dictionary<string, ECDsa?>, IEnumerable<string>> check, Action checkedOne,
        CancellationToken cancellationToken)
    {
        var workers = Environment.ProcessorCount;
        var queue = Channel.CreateBounded<(long Index, T Item)>(new BoundedChannelOptions(workers * QueuedPerCore)
        {
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        var found = new ConcurrentQueue<(long Index, string Problem)>();
        var running = Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            var keys = new Dictionary<string, ECDsa?>(StringComparer.Ordinal);
            try
            {
                await foreach (var (index, item) in queue.Reader.ReadAllAsync(cancellationToken))
                {
                    foreach (var problem in check(item, keys))
                    {
                        found.Enqueue((index, problem));
                    }
                    checkedOne();
                }
            }
            catch (Exception exception)
            {
                // The reader must not wait on a queue nobody empties.
                queue.Writer.TryComplete(exception);
                throw;
            }
            finally
            {
                foreach (var key in keys.Values)
                {
                    key?.Dispose();
                }
            }
        }, cancellationToken)).ToArray();
        long read = 0;
        try
        {
            await foreach (var item in items.WithCancellation(cancellationToken))
            {
                await queue.Writer.WriteAsync((read++, item), cancellationToken);
            }
            queue.Writer.TryComplete();
        }
        catch (ChannelClosedException)
        {
            // A worker failed: its exception is rethrown below.
        }
        catch (Exception exception)
        {
            queue.Writer.TryComplete(exception);
            throw;
        }
        await Task.WhenAll(running);
        return [.. found.OrderBy(f => f.Index).Select(f => f.Problem)];
    }
}
