"""Signing in and out: Django's auth views; ``/`` is the sign-in page."""

from django.contrib.auth import views as auth_views


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    # A signed-in visitor to ``/`` goes straight to their home page.
    redirect_authenticated_user = True


login = LoginView.as_view()
logout = auth_views.LogoutView.as_view()
