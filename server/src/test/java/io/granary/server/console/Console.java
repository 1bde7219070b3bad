package io.granary.server.console;

import java.time.Duration;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/** The console as a user sees it: pages by URL, the sign-in form, and waiting for what appears on screen. */
final class Console {

    static final Duration WAIT = Duration.ofSeconds(30);

    private final WebDriver driver;
    private final String url;

    Console(WebDriver driver, String url) {
        this.driver = driver;
        this.url = url;
    }

    void open(String path) {
        driver.get(url + path);
    }

    /** Opens the console signed out (this tab's sessionStorage cleared) and signs in with the token. */
    void signIn(String token, String path) {
        open(path);
        js("sessionStorage.clear()");
        driver.navigate().refresh();
        type("#token", token);
        click("#sign-in-form button[type=submit]");
        waitFor("#sign-out");
    }

    WebElement waitFor(String css) {
        return new WebDriverWait(driver, WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
    }

    /** Waits until the element's text contains the snippet; returns the element. */
    WebElement waitForText(String css, String snippet) {
        new WebDriverWait(driver, WAIT).withMessage(() -> "\"" + snippet + "\" in " + css + "; page says: " + bodyText())
                .until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(css), snippet));
        return find(css);
    }

    void waitForPath(String path) {
        new WebDriverWait(driver, WAIT).withMessage(() -> "URL path " + path + ", at " + driver.getCurrentUrl())
                .until(d -> currentPath().equals(path));
    }

    String currentPath() {
        return (String) js("return location.pathname + location.search");
    }

    WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    void click(String css) {
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.elementToBeClickable(By.cssSelector(css))).click();
    }

    void clickLink(String text) {
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.elementToBeClickable(By.linkText(text))).click();
    }

    void type(String css, String text) {
        WebElement field = waitFor(css);
        field.clear();
        field.sendKeys(text);
    }

    /** Confirms the open confirmation dialog. */
    void confirm() {
        click("dialog.confirm [data-confirm]");
    }

    String bodyText() {
        return driver.findElement(By.tagName("body")).getText();
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }
}
