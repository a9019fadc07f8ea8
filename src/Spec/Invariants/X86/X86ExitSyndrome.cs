using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;
using Kvmspec.Spec.X86;

namespace Kvmspec.Spec.Invariants;

/// <summary>EXIT-SYNDROME on x86: a #DB exit reports DR6 as the architecture defines it (the
/// active-low bits set, BS for a step) and the pc where the guest stopped.</summary>
/// <remarks>Paths: <c>dr6</c> (the active-low bits 0xFFFF0FF0 are not all set), <c>pc</c> (the exit's pc is not the
/// RIP at which the guest stopped: KVM reported singlestep_rip, where the step began, before Peter
/// Xu's 2020 fix). #BP exits are not judged: KVM writes only exception and pc for them.</remarks>
public static class X86ExitSyndrome
{
    public static Monitor Start(JudgeContext c) => new Full(c);

    private sealed class Full(JudgeContext c) : Monitor(ExitSyndrome.Id, c)
    {
        public override void Observe(int i, TraceEvent ev)
        {
            if (ev is not Exit { Reason: KvmExitReason.KVM_EXIT_DEBUG, Payload: X86DebugPayload p } x || p.Exception != X86Program.DbVector) return;
            if ((p.Dr6 & Dr6.ActiveLow) != Dr6.ActiveLow)
                Report("dr6", i, $"DR6 {Dr6.Describe(p.Dr6)} lacks the active-low bits 0x{Dr6.ActiveLow:X}");
            if (x.Pc is { } rip && p.Pc != rip)
                Report("pc", i, $"the exit reports pc=0x{p.Pc:X} but the guest stopped at 0x{rip:X}");
        }
    }
}
