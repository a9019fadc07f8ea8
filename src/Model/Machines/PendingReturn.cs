using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;

namespace Kvmspec.Model.Machines;

/// <summary>How KVM_RUN will return: 0 with an exit reason and payload, or -1 with an errno.</summary>
public sealed record PendingReturn(KvmExitReason? Reason, ExitPayload? Payload, Errno? Errno);
