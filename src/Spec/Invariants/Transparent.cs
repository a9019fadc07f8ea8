using Kvmspec.Spec.Arm64;
using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;

namespace Kvmspec.Spec.Invariants;

/// <summary>TRANSPARENT: host debugging changes nothing the guest computes: the guest's own debug
/// events (BRK, its breakpoints, its software step) still reach the guest while the host debugs.</summary>
/// <remarks>
/// Paths: <c>diverted</c> (a debug exit reports to the VMM what the guest's own configuration
/// raised: a BRK (every BRK in the model's programs is the guest's; the VMM's software breakpoints
/// are not modelled), a breakpoint the host did not set, a watchpoint (the host sets none), a step
/// while the host does not step), <c>suppressed</c> (while the host debugs, the hardware retires an
/// instruction at which the guest's own enabled breakpoint matches, without the guest taking it).
/// Where the host does not debug, these events are the guest's by construction. A guest that does
/// not debug itself gives neither path anything to find; what host stepping must not change for
/// it (registers, frames, MDSCR_EL1) is NO-LEAK's, and the instruction count STEP-ONE's.
/// </remarks>
public static class Transparent
{
    public const string Id = "TRANSPARENT";

    /// <summary>The full-profile monitor.</summary>
    public static Monitor Start(JudgeContext c) => new Full(c);

    private sealed class Full(JudgeContext c) : Monitor(Id, c)
    {
        public override void Observe(int i, TraceEvent ev)
        {
            switch (ev)
            {
                case Exit { Reason: KvmExitReason.KVM_EXIT_DEBUG, Payload: DebugPayload d } x:
                    var esr = ESR_ELx.Decode(d.Arch.hsr);
                    string? what = esr.EC switch
                    {
                        ExceptionClass.BRK64 => "the guest's own BRK",
                        ExceptionClass.BREAKPT_LOW when x.Pc is not null && !View.IsHostBreakpoint(x.Pc) => "a breakpoint the host did not set",
                        ExceptionClass.WATCHPT_LOW => "a watchpoint the host did not set",
                        ExceptionClass.SOFTSTP_LOW when !View.HostStepping => "a software step the host did not ask for",
                        _ => null,
                    };
                    if (what is not null)
                        Report("diverted", i, $"KVM_EXIT_DEBUG ({esr.EC}) at 0x{x.Pc:X}: {what} went to the VMM instead of the guest");
                    break;
                case Retired { By: RetiredBy.Hardware } r when View.HostDebugging && View.OwnBreakpointDue(r.Pc):
                    Report("suppressed", i, $"0x{r.Pc:X} retired although the guest's own breakpoint matches there: host debugging suppressed it");
                    break;
            }
        }
    }
}
