"""Notification channels (e-mail, webhook) a person adds, with a "send test" button."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from notifications.forms.settings import ChannelForm
from notifications.models import Notification
from notifications.selectors import channels_visible_to
from notifications.services.channels import channel_create
from notifications.services.deliveries import channel_send_test
from partnerships.errors import ConflictError
from partnerships.views.forms import apply_service_error, posted
from partnerships.views.membership import page_actor

RECENT = 5


@login_required
def channel_list(request):
    actor = page_actor(request)
    form = ChannelForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            channel_create(actor=actor, **form.cleaned_data)
        except (ValidationError, ConflictError) as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Channel added."))
            return redirect("notifications:channel-list")
    channels = list(channels_visible_to(actor))
    for channel in channels:
        channel.recent = (
            Notification.objects.filter(channel=channel).prefetch_related("delivery_attempts").order_by("-created_at")[:RECENT]
        )
    return render(
        request, "notifications/channel_list.html", {"channels": channels, "form": form}, status=400 if form.errors else 200
    )


@login_required
@require_POST
def channel_test(request, pk):
    actor = page_actor(request)
    channel = get_object_or_404(channels_visible_to(actor), pk=pk)
    notification = channel_send_test(actor=actor, channel=channel)
    if notification.status == "delivered":
        messages.success(request, _("Test sent to %(name)s: delivered.") % {"name": channel.name})
    else:
        messages.error(
            request,
            _("Test to %(name)s not delivered: %(error)s") % {"name": channel.name, "error": notification.last_error or "—"},
        )
    return redirect("notifications:channel-list")
