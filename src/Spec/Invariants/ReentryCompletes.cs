using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;

namespace Kvmspec.Spec.Invariants;

/// <summary>REENTRY-COMPLETES: an exit that needs completion is completed exactly once on the next
/// KVM_RUN, before any guest instruction and before immediate_exit is honoured.</summary>
/// <remarks>
/// api.rst "KVM_RUN" note: for KVM_EXIT_MMIO and KVM_EXIT_IO (x86), ..., the operation completes only when
/// userspace re-enters, before pending signals are checked, and userspace should re-enter with
/// immediate_exit before save/restore so that it completes. An access that userspace aborts
/// (ext_dabt_pending) must not complete (PC-ONCE judges that). A KVM_RUN refused with -EINVAL is
/// not a re-entry: x86 checks kvm_valid_regs/kvm_dirty_regs and copies the dirty sync-regs parts in
/// before complete_userspace_io (x86.c kvm_arch_vcpu_ioctl_run()), so the completion is due at the
/// next KVM_RUN (arm64 never fails KVM_RUN with -EINVAL in the model). Paths: <c>late</c> (the run returned
/// or ran the guest before completing), <c>twice</c> (a completion with nothing pending).
/// </remarks>
public static class ReentryCompletes
{
    public const string Id = "REENTRY-COMPLETES";

    /// <summary>The full-profile monitor.</summary>
    public static Monitor Start(JudgeContext c) => new Full(c);

    private sealed class Full(JudgeContext c) : Monitor(Id, c)
    {
        // aborted: the last access was failed by userspace; completing it later is PC-ONCE's to judge.
        private bool pending, aborted, dueThisRun;

        public override void Observe(int i, TraceEvent ev)
        {
            switch (ev)
            {
                case Exit { Reason: KvmExitReason.KVM_EXIT_MMIO or KvmExitReason.KVM_EXIT_IO }:
                    if (dueThisRun) Report("late", i, "KVM_RUN returned without completing the pending access");
                    pending = true; aborted = false; dueThisRun = false;
                    break;
                case RunFailed { Errno: Errno.EINVAL }:
                    dueThisRun = false;
                    break;
                case Exit or RunFailed:
                    if (dueThisRun)
                        Report("late", i, $"KVM_RUN returned ({ev.Describe()}) without completing the pending access");
                    dueThisRun = false;
                    break;
                case SetVcpuEvents { ExtDabtPending: true, Error: null } when pending:
                    aborted = true;
                    break;
                case Run:
                    dueThisRun = pending && !aborted;
                    if (aborted) pending = false;
                    break;
                case Retired { Completion: true, By: not RetiredBy.Vmm } r:
                    if (!pending && !aborted)
                        Report("twice", i, $"KVM completes an access at 0x{r.Pc:X} that was already completed");
                    pending = false; dueThisRun = false;
                    break;
                case Retired or ExceptionTaken or X86ExceptionTaken or GuestRegRead when dueThisRun:
                    Report("late", i, $"the guest ran ({ev.Describe()}) before the pending access was completed");
                    dueThisRun = false; pending = false;
                    break;
            }
        }
    }
}
