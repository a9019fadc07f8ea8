namespace Kvmspec.Spec.Kvm;

/// <summary>Linux errno values KVM_RUN and the vCPU ioctls return in this model.</summary>
public enum Errno
{
    ENOENT = 2,
    EINTR = 4,
    EBUSY = 16,
    EINVAL = 22,
    ENOSYS = 38,
}
