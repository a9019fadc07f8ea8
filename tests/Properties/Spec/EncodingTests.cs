using FsCheck;
using FsCheck.Fluent;
using Kvmspec.Properties.Support;
using Kvmspec.Spec.Arm64;
using Xunit;
using Xunit.Abstractions;

namespace Kvmspec.Properties.Spec;

/// <summary>The trace I/O boundary: register encodings round-trip and match the kernel's constants.</summary>
public class EncodingTests(ITestOutputHelper output)
{
    [Fact]
    public void PSTATE_RoundTripsThroughSpsrEncoding() =>
        Props.Check(Gens.Pstates, p => (PSTATE.Decode(p.Encode()) == p).Label($"{p} -> 0x{p.Encode():X}"), output);

    [Fact]
    public void MDSCR_EL1_RoundTrips() => Props.Check(Gens.Mdscrs, m => MDSCR_EL1.Decode(m.Encode()) == m, output);

    [Fact]
    public void ESR_RoundTrips() =>
        Props.Check(Arb.From(from ec in Gen.Elements(Enum.GetValues<ExceptionClass>()) from il in ArbMap.Default.GeneratorFor<bool>()
                             from iss in Gen.Choose(0, 0x1FF_FFFF) select new ESR_ELx(ec, il, (uint)iss)),
            e => ESR_ELx.Decode(e.Encode()) == e, output);

    [Theory]
    [InlineData(true, 0xCB000022u)]
    [InlineData(false, 0xCA000022u)]
    public void SoftwareStepSyndrome_IsTheHardwareValue(bool isv, uint expected) =>
        Assert.Equal(expected, (uint)ESR_ELx.SoftwareStep(fromLowerEL: true, isv, ex: false).Encode());

    [Fact]
    public void SpsrBits_MatchTheKernelsPositions()
    {
        Assert.Equal(1UL << 21, new PSTATE(true, false, false, false, ExceptionLevel.EL0).Encode() & ~0x40UL);
        Assert.Equal(0x3C5UL, new PSTATE(false, true, true, true, ExceptionLevel.EL1).Encode());
    }
}
