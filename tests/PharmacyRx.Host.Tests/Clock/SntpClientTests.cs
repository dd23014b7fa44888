using PharmacyRx.Host.Clock;

namespace PharmacyRx.Host.Tests.Clock;

public class SntpClientTests
{
    [Test]
    public void NTP_timestamps_round_trip_to_well_under_a_microsecond()
    {
        var instant = new DateTimeOffset(2026, 11, 22, 9, 30, 15, 123, TimeSpan.Zero).AddTicks(4567);
        var buffer = new byte[8];

        SntpClient.WriteTimestamp(buffer, instant);

        Assert.That((SntpClient.ReadTimestamp(buffer) - instant).Duration(), Is.LessThan(TimeSpan.FromTicks(2)));
        var secondsSince1900 = (uint)(instant - new DateTimeOffset(1900, 1, 1, 0, 0, 0, TimeSpan.Zero)).TotalSeconds;
        Assert.That(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(buffer), Is.EqualTo(secondsSince1900), "seconds since 1900, big-endian");
    }
}
