using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;

namespace Kvmspec.Spec.Invariants;

/// <summary>PC-ONCE on x86: RIP moves only by what the trace shows (a retirement to its next RIP,
/// a delivery to its handler, KVM_SET_REGS, a KVM_RUN that copies in a dirty KVM_SYNC_X86_REGS), so an instruction KVM completes advances RIP exactly
/// once, after its effects, and an access that exits to userspace has not advanced it yet.</summary>
/// <remarks>Paths: <c>moved</c> (a retirement or a return from KVM_RUN at a RIP the trace does not
/// account for: the RIP was advanced twice, or before the access completed), <c>early</c> (an
/// access exit, KVM_EXIT_IO or MMIO, reports a RIP past the instruction still to complete).</remarks>
public static class X86PcOnce
{
    public static Monitor Start(JudgeContext c) => new Full(c);

    private sealed class Full(JudgeContext c) : Monitor(PcOnce.Id, c)
    {
        private ulong? expected = c.Header.InitialPc;
        private readonly X86SyncedRegs synced = new();

        public override void Observe(int i, TraceEvent ev)
        {
            if (synced.At(ev) is { } s) ev = s;
            switch (ev)
            {
                case Retired r:
                    if (expected is { } e && r.Pc != e)
                        Report("moved", i, $"0x{r.Pc:X} {r.Insn} retired, but RIP should be 0x{e:X}");
                    expected = r.NextPc;
                    break;
                case X86ExceptionTaken x:
                    expected = x.Handler;
                    break;
                case SetRegs w:
                    expected = w.Rip;
                    break;
                case Exit { Pc: { } pc } x:
                    if (expected is { } e2 && pc != e2)
                        Report(x.Reason is KvmExitReason.KVM_EXIT_IO or KvmExitReason.KVM_EXIT_MMIO ? "early" : "moved", i,
                            $"KVM_RUN returned ({x.Reason}) at RIP 0x{pc:X}, but RIP should be 0x{e2:X}");
                    expected = pc;
                    break;
                case RunFailed { Pc: { } pc2 }:
                    if (expected is { } e3 && pc2 != e3)
                        Report("moved", i, $"KVM_RUN failed at RIP 0x{pc2:X}, but RIP should be 0x{e3:X}");
                    expected = pc2;
                    break;
            }
        }
    }
}
