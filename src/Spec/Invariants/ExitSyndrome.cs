using Kvmspec.Spec.Arm64;
using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;

namespace Kvmspec.Spec.Invariants;

/// <summary>EXIT-SYNDROME: a debug exit reports the genuine architectural syndrome.</summary>
/// <remarks>
/// A software-step syndrome has IL=1 and IFSC=0x22, and ISV=1 only when an instruction was stepped
/// (Arm ARM "ISS encoding for an exception from a Software Step exception"). A BRK exit happens at
/// a BRK instruction. Paths: <c>synthetic</c> (IL or IFSC not architectural: a syndrome KVM made up),
/// <c>isv</c> (ISV=1 although no instruction ran in this KVM_RUN), <c>ec</c> (the class does not match
/// what happened: a step exit without SINGLESTEP, a BRK exit not at a BRK, a non-debug class).
/// SIMPLIFICATION: ISV=0 is always accepted (hardware reports it after an ERET or exception entry
/// into active-pending), and EX is not judged (no load-exclusives are modelled).
/// </remarks>
public static class ExitSyndrome
{
    public const string Id = "EXIT-SYNDROME";

    /// <summary>The full-profile monitor.</summary>
    public static Monitor Start(JudgeContext c) => new Full(c);

    private sealed class Full(JudgeContext c) : Monitor(Id, c)
    {
        private bool stepping, hwRetiredThisRun;

        public override void Observe(int i, TraceEvent ev)
        {
            switch (ev)
            {
                case SetGuestDebug g:
                    stepping = g.Control.HasFlag(KvmGuestDebug.KVM_GUESTDBG_ENABLE) && g.Control.HasFlag(KvmGuestDebug.KVM_GUESTDBG_SINGLESTEP);
                    break;
                case Migrate:
                    stepping = false;
                    break;
                case Run:
                    hwRetiredThisRun = false;
                    break;
                case Retired { By: RetiredBy.Hardware }:
                    hwRetiredThisRun = true;
                    break;
                case Exit { Reason: KvmExitReason.KVM_EXIT_DEBUG, Payload: DebugPayload p } x:
                    var esr = p.Esr;
                    switch (esr.EC)
                    {
                        case ExceptionClass.SOFTSTP_LOW or ExceptionClass.SOFTSTP_CUR:
                            if (!stepping)
                                Report("ec", i, $"a software-step exit (hsr=0x{p.Arch.hsr:X8}) while KVM_GUESTDBG_SINGLESTEP is clear");
                            else if (!esr.IL || esr.IFSC != ESR_ELx.SoftwareStepIFSC)
                                Report("synthetic", i, $"hsr=0x{p.Arch.hsr:X8} is not a hardware software-step syndrome (IL={(esr.IL ? 1 : 0)}, IFSC=0x{esr.IFSC:X2}; expected IL=1, IFSC=0x22)");
                            else if (esr.ISV && !hwRetiredThisRun)
                                Report("isv", i, $"hsr=0x{p.Arch.hsr:X8} says an instruction was stepped (ISV=1) but none ran in this KVM_RUN");
                            break;
                        case ExceptionClass.BRK64:
                            if (x.Pc is { } pc && Header.Program is { } program && program.At(pc)?.Kind != InstructionKind.Brk)
                                Report("ec", i, $"a BRK64 exit at pc=0x{pc:X}, where there is no BRK");
                            break;
                        case ExceptionClass.BREAKPT_LOW or ExceptionClass.WATCHPT_LOW or ExceptionClass.BKPT32:
                            break;
                        default:
                            Report("ec", i, $"KVM_EXIT_DEBUG with a non-debug exception class {esr.EC} (hsr=0x{p.Arch.hsr:X8})");
                            break;
                    }
                    break;
            }
        }
    }
}
