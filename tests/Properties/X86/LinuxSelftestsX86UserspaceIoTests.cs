using Kvmspec.Model.Exploration;
using Kvmspec.Model.X86;
using Kvmspec.Spec.Invariants;
using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;
using Kvmspec.Spec.X86;
using Xunit;
using Action = Kvmspec.Model.Exploration.Action;

namespace Kvmspec.Properties.X86;

/// <summary>LX-X86-UIO-01 (reference/peer-scenarios-linux-selftests.md §5.2,
/// tools/testing/selftests/kvm/x86/userspace_io_test.c) against x86/upstream: three
/// <c>rep insb</c> from port 0x80 (counts 2, 3, 8192) into one 8 KiB buffer; on every IO exit the
/// VMM fills the data area with 0xAA and rewrites RCX 2 → 1 and 3 → 8192 with KVM_SET_REGS. The
/// guest's setup of RCX and RDI is two MOVs per call; the buffer (guest memory is not modelled) is
/// the count of bytes the emulator stored and how many of them were not the VMM's data. The buffer
/// starts 0x100 bytes before a page boundary, so the "bytes to the end of the page" limit of
/// pio_in_emulated() shows. The guest's GUEST_ASSERTs (RCX = 0, RDI = end right after each
/// <c>rep insb</c>) read the registers where the instruction completes, on the KVM_RUN that
/// consumes its last batch.</summary>
public class LinuxSelftestsX86UserspaceIoTests
{
    private const ulong Buf = 0x20F00;
    private const ushort UcallPioPort = 0x1000;

    private static X86Instruction[] InsPort80(ulong count) =>
        [new(X86InstructionKind.MovRcx) { Imm = count }, new(X86InstructionKind.MovRdi) { Imm = Buf }, new(X86InstructionKind.RepInsb)];

    private static readonly X86Program P = X86Program.Of(
        [.. InsPort80(2), .. InsPort80(3), .. InsPort80(8192), new(X86InstructionKind.Out) { Port = UcallPioPort }]);

    private readonly record struct Done(ulong Rcx, ulong Rdi, ulong Bytes, ulong Stale);

    [Fact]
    public void LX_X86_UIO_01_RepInsb_BatchesPerExit_ModifiedCountNeitherExplodesNorOverflows() => Uio01();

    /// <summary>LX-X86-UIO-01 with its checks; the trace the model wrote (X86TraceReadingTests reads it back and conforms it).</summary>
    internal static Trace Uio01()
    {
        var c = X86Simulator.Reset(X86Variants.Upstream, P);
        var done = new List<Done>();
        var counts = new List<uint>();
        var data = new List<ulong>();
        for (int guard = 0; guard < 100; guard++)
        {
            int n = c.Out.Count;
            c = X86Simulator.Apply(c, Action.Of(new Run()));
            // complete_userspace_io ran inside this KVM_RUN: a rep insb that consumed its last batch
            // has just completed, with the registers the guest then asserts on.
            if (c.Out.Skip(n).OfType<Retired>().Any(r => r.Mnemonic == "rep" && r.NextPc != r.Pc))
                done.Add(new(c.S.Rcx, c.S.Rdi, c.S.StringInBytes, c.S.StringInStaleBytes));
            c = X86Simulator.Settle(c);
            Assert.Null(c.S.Unhandled);
            var x = Assert.IsType<Exit>(c.Out.Skip(n).Single(e => e is Exit or RunFailed));
            Assert.Equal(KvmExitReason.KVM_EXIT_IO, x.Reason);
            var io = Assert.IsType<IoPayload>(x.Payload);
            if (io.Port == UcallPioPort) break; // ucall DONE
            Assert.Equal(X86Instruction.DefaultPort, io.Port);
            Assert.False(io.Out);
            counts.Add(io.Count);

            c = X86Simulator.Apply(c, Action.Of(new GetRegs(0, 0)));
            var g = c.Out.OfType<GetRegs>().Last();
            ulong rcx = g.Rcx == 2 ? 1 : g.Rcx == 3 ? 8192 : g.Rcx;
            c = X86Simulator.Apply(c, Action.Of(new CompleteIo(0xAA)));   // memset(data, 0xaa, 4096)
            data.Add(0xAA);
            // vcpu_regs_set with the access still pending, as the selftest does (no immediate_exit re-entry first).
            c = X86Simulator.Fire(c, X86RunTrigger.KVM_SET_REGS, new SetRegs(g.Rip, g.Rflags, g.Rbx, rcx, g.Rdi));
        }
        Assert.Equal(KvmExitReason.KVM_EXIT_IO, c.Out.OfType<Exit>().Last().Reason);
        Assert.Equal(UcallPioPort, ((IoPayload)c.Out.OfType<Exit>().Last().Payload!).Port);

        Assert.Equal(3, done.Count);
        // count 2 → 1: one byte, RCX = 0, RDI = buf + 1.
        Assert.Equal(new Done(0, Buf + 1, 1, 0), done[0]);
        // count 3 → 8192: RCX = 0, RDI = buf + 8192, never past it; the first batch after the
        // rewrite consumed 256 bytes (to the page end) of which only 3 were the VMM's data.
        Assert.Equal((0UL, Buf + 8192), (done[1].Rcx, done[1].Rdi));
        Assert.Equal(8192UL, done[1].Bytes - done[0].Bytes);
        Assert.Equal(256UL - 3, done[1].Stale - done[0].Stale);
        // count 8192, not rewritten: every byte the VMM's 0xAA, in batches of min(page end, 1024, RCX).
        Assert.Equal((0UL, Buf + 8192), (done[2].Rcx, done[2].Rdi));
        Assert.Equal(8192UL, done[2].Bytes - done[1].Bytes);
        Assert.Equal(done[1].Stale, done[2].Stale);
        Assert.All(data, d => Assert.Equal(0xAAUL, d));
        uint[] third = [256, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 768];
        Assert.Equal([2, 3, .. third.Skip(1), .. third], counts);
        Assert.All(counts, k => Assert.InRange(k, 1u, (uint)X86Emulation.ReadCacheBytes));

        var trace = new Trace("x86", Trace.FullProfile, "LX-X86-UIO", Kvmspec.Spec.Arm64.GuestProgram.Of(), X86Program.Base, [.. c.Out], X86Simulator.InitialRflags);
        Assert.All(TraceChecker.Check(trace, X86Invariants.All), v => Assert.Empty(v.Violations));
        return trace;
    }
}
