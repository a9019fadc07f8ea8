using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;

namespace Kvmspec.Spec.Invariants;

/// <summary>PROGRESS: resuming from a breakpoint or a step retires the instruction there within a
/// bounded number of runs, even with an interrupt pending before every entry.</summary>
/// <remarks>After a KVM_EXIT_DEBUG at pc P, while the VMM keeps single-stepping without moving RIP
/// (KVM_SET_REGS), the instruction at P must retire before <see cref="Bound"/> further step exits
/// (DR6.BS) have been reported. Exits that are not steps (a breakpoint hit again, an ICEBP) hand
/// control to the debugger and are not counted. Source: 61e5f69ef083 (the VM "will be stuck on the
/// same breakpoint RIP forever" when an interrupt arrives before every entry); the 2021 thread.
/// Path: <c>livelock</c>.</remarks>
public static class Progress
{
    public const string Id = "PROGRESS";
    /// <summary>Step exits without retiring P that make a livelock: with the model's one-instruction
    /// handlers, an interrupt taken once costs two steps (the handler's entry, its IRETQ).</summary>
    public const int Bound = 3;

    public static Monitor Start(JudgeContext c) => new Full(c);

    private sealed class Full(JudgeContext c) : Monitor(Id, c)
    {
        private bool stepping, reported;
        private ulong? p;
        private int steps;

        public override void Observe(int i, TraceEvent ev)
        {
            switch (ev)
            {
                case X86SetGuestDebug { Error: null } g:
                    stepping = g.SingleStep;
                    if (!stepping) p = null;
                    break;
                case SetRegs:
                    p = null;
                    break;
                case Retired r when r.Pc == p:
                    p = null;
                    break;
                case Exit { Reason: KvmExitReason.KVM_EXIT_DEBUG, Payload: X86DebugPayload d } x:
                    if (p is null)
                    {
                        p = x.Pc ?? d.Pc;
                        steps = 0;
                        reported = false;
                    }
                    else if (stepping && d.IsStep && ++steps >= Bound && !reported)
                    {
                        reported = true;
                        Report("livelock", i, $"{steps} single-steps after the debug exit at 0x{p:X}, the instruction there has not retired (now at 0x{x.Pc:X})");
                    }
                    break;
            }
        }
    }
}
