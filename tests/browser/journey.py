"""What every browser journey does the same way."""

PASSWORD = "Pass-word-123"


def sign_in(page, base, username, password=PASSWORD):
    """Sign in through the login form in Chinese, as a member of staff does."""
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")
